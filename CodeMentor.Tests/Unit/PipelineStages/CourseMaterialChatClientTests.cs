using CodeMentor.Core.Courses;
using CodeMentor.Core.Courses.Material;
using CodeMentor.Core.Llm.Pipeline;
using CodeMentor.Core.Llm.Providers;
using CodeMentor.Tests.Support;
using Microsoft.Extensions.AI;
using static CodeMentor.Tests.Unit.PipelineStages.InnerStub;

namespace CodeMentor.Tests.Unit.PipelineStages;

/// <summary>The course material stage alone: chat and concept questions of a learner working in a course with material
/// reach the model with the retrieved passages as numbered data (or the instruction to say the course does not cover
/// them), and the stream starts with what the reply may cite; other features and other learners pass unchanged.</summary>
public sealed class CourseMaterialChatClientTests : IAsyncLifetime
{
    private CoreHost _host = default!;
    private string _ada = "", _bo = "";

    private const string Notes = """
        # Python notes

        ## Lists as stacks

        A list works as a stack: `append()` puts an item on top and `pop()` takes the top item off again.

        ```python
        stack = [1, 2]
        stack.append(3)
        stack.pop()
        ```

        ## Dictionaries

        A dictionary maps keys to values; keys must be immutable, such as strings, numbers or tuples.
        """;

    public async Task InitializeAsync()
    {
        _host = await CoreHost.StartAsync();
        var tess = await _host.CreateUserAsync("tess@example.org");
        _ada = await _host.CreateUserAsync("ada@example.org");
        _bo = await _host.CreateUserAsync("bo@example.org");
        var courseId = Guid.NewGuid();
        await using (var db = await _host.DbAsync())
        {
            db.Courses.Add(new Course { Id = courseId, Name = "Python 101", JoinCode = "ABCDEFGH" });
            db.CourseMembers.Add(new CourseMember { CourseId = courseId, UserId = tess, Role = CourseRole.Teacher });
            db.CourseMembers.Add(new CourseMember { CourseId = courseId, UserId = _ada, Role = CourseRole.Learner, Working = true });
            await db.SaveChangesAsync();
        }
        var (_, error) = await _host.Get<CourseMaterialLibrary>().UploadAsync(tess, courseId, "notes.md", System.Text.Encoding.UTF8.GetBytes(Notes));
        Assert.Null(error);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private CourseMaterialChatClient Material(IChatClient inner) => new(inner, _host.Get<CourseService>(), _host.Get<CourseRetrieval>());

    [Fact]
    public async Task A_course_question_reaches_the_model_with_the_passages_as_numbered_data_and_the_stream_says_what_it_may_cite()
    {
        var inner = new InnerStub([Text("Use append() and pop() [1]."), End(100, 10)]);
        var (updates, error) = await Material(inner).GetStreamingResponseAsync(Ask("How do I use a list as a stack?"), For(_ada)).ReadAllAsync();

        Assert.Null(error);
        var sources = Assert.IsType<CourseSourcesContent>(Assert.Single(updates[0].Contents));
        Assert.True(sources.Covered);
        Assert.Equal("Python notes — Lists as stacks", sources.Sources[0].Describe());
        Assert.Equal(Enumerable.Range(1, sources.Sources.Count), sources.Sources.Select(s => s.Number));
        var sent = Assert.Single(inner.Calls).Messages;
        Assert.Equal(["You are a tutor.", null, "How do I use a list as a stack?"], sent.Select(m => m.Role == ChatRole.System && m.Text != "You are a tutor." ? null : m.Text));
        var grounding = sent[1].Text;
        Assert.StartsWith(CourseMaterialChatClient.GroundingHeader, grounding, StringComparison.Ordinal);
        Assert.Contains("[1] \"Python notes\", section \"Python notes › Lists as stacks\"\n````\n", grounding, StringComparison.Ordinal); // the passage's own fence stays inside
        Assert.Equal("Use append() and pop() [1].", string.Concat(updates.Skip(1).Select(u => u.Text)));
    }

    [Fact]
    public async Task A_question_the_material_does_not_cover_is_sent_with_the_instruction_to_say_so()
    {
        var inner = new InnerStub([Text("The course does not cover that."), End(100, 10)]);
        var (updates, _) = await Material(inner).GetStreamingResponseAsync(Ask("How do I configure an ingress controller in Kubernetes?"), For(_ada)).ReadAllAsync();

        var sources = Assert.IsType<CourseSourcesContent>(Assert.Single(updates[0].Contents));
        Assert.False(sources.Covered);
        Assert.Empty(sources.Sources);
        Assert.Equal(CourseMaterialChatClient.NotCovered, Assert.Single(inner.Calls).Messages[1].Text);
    }

    [Theory]
    [InlineData("review")]
    [InlineData("exercise")]
    [InlineData("onboarding")]
    public async Task Other_features_pass_unchanged(string feature)
    {
        var inner = new InnerStub([Text("Answer."), End(100, 10)]);
        var (updates, _) = await Material(inner).GetStreamingResponseAsync(Ask("How do I use a list as a stack?"), For(_ada, feature)).ReadAllAsync();

        Assert.DoesNotContain(updates, u => u.Contents.OfType<CourseSourcesContent>().Any());
        Assert.Equal(2, Assert.Single(inner.Calls).Messages.Count);
    }

    [Fact]
    public async Task A_learner_outside_the_course_gets_no_material()
    {
        var inner = new InnerStub([Text("Answer."), End(100, 10)]);
        var (updates, _) = await Material(inner).GetStreamingResponseAsync(Ask("How do I use a list as a stack?"), For(_bo)).ReadAllAsync();

        Assert.DoesNotContain(updates, u => u.Contents.OfType<CourseSourcesContent>().Any());
        Assert.Equal(2, Assert.Single(inner.Calls).Messages.Count);
    }

    [Fact]
    public async Task The_offline_simulator_answers_from_the_first_passage_and_cites_it()
    {
        var inner = new InnerStub([Text("unused"), End(1, 1)]);
        await Material(inner).GetStreamingResponseAsync(Ask("How do I use a list as a stack?"), For(_ada)).ReadAllAsync();

        var reply = SimulatedReplies.For("chat", inner.Calls[0].Messages);
        Assert.StartsWith(SimulatedReplies.Label, reply, StringComparison.Ordinal);
        Assert.Contains("The course material says this [1]:", reply, StringComparison.Ordinal);
        Assert.Contains("> A list works as a stack", reply, StringComparison.Ordinal);
    }
}
