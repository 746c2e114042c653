using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CodeMentor.Core.Accounts;
using CodeMentor.Core.Courses;
using CodeMentor.Core.Courses.Material;
using CodeMentor.Core.Data;
using CodeMentor.Core.Llm.Resilience;
using CodeMentor.Core.Prompts;
using CodeMentor.Core.SharedState;
using CodeMentor.Core.Tutoring;
using CodeMentor.Core.Usage;
using CodeMentor.Testing;
using CodeMentor.Tests.Support;
using CodeMentor.Web.Hubs;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CodeMentor.Tests.Integration;

/// <summary>Two nodes sharing PostgreSQL and Redis, as a deployment behind a load balancer runs them:
/// what one node learns or grants holds on the other.</summary>
public sealed class ScaleOutTests
{
    private static async Task<HttpResponseMessage> AskAsync(KestrelPortal node, string key, string question)
    {
        using var http = node.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await http.PostAsJsonAsync("v1/chat/completions", new
        {
            model = "codementor-tutor", messages = new[] { new { role = "user", content = question } },
        });
    }

    [Fact]
    public async Task A_bearer_token_from_node_A_opens_the_hub_on_node_B_and_the_reply_streams_there()
    {
        await using var nodes = await TwoNodes.StartAsync();
        await nodes.A.RegisterAsync("ada@example.org");
        using var http = nodes.A.CreateClient();
        var token = await http.PostAsJsonAsync("api/auth/token", new { email = "ada@example.org", password = "correct-horse-42" });
        token.EnsureSuccessStatusCode();
        var accessToken = (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();

        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(nodes.B.BaseUri, TutorHub.Path.TrimStart('/')), o => o.AccessTokenProvider = () => Task.FromResult(accessToken))
            .Build();
        await hub.StartAsync();
        var conversation = await hub.InvokeAsync<Guid>("StartConversation");
        var items = new List<TutorStreamItem>();
        await foreach (var item in hub.StreamAsync<TutorStreamItem>("Ask", conversation, "What is a loop?"))
        {
            items.Add(item);
        }

        Assert.Equal(("done", "Complete"), (items[^1].Kind, items[^1].Status));
        Assert.Equal("Hello from the fake Groq server.", string.Concat(items.Where(i => i.Kind == "text").Select(i => i.Text)));
        Assert.NotEmpty(nodes.B.Groq.Requests);
        Assert.Empty(nodes.A.Groq.Requests);
    }

    [Fact]
    public async Task A_learners_per_minute_limit_is_counted_once_across_both_nodes()
    {
        await using var nodes = await TwoNodes.StartAsync(new Dictionary<string, string?>
        {
            ["RateLimits:RequestsPerMinute"] = "3", ["Llm:CacheTtlSeconds"] = "0",
        });
        var ada = await nodes.A.RegisterAsync("ada@example.org");
        var key = await nodes.A.CreateKeyAsync(ada);

        var statuses = new List<HttpStatusCode>();
        foreach (var (node, question) in new[] { (nodes.A, "one"), (nodes.B, "two"), (nodes.A, "three"), (nodes.B, "four"), (nodes.A, "five") })
        {
            using var response = await AskAsync(node, key, question);
            statuses.Add(response.StatusCode);
        }

        // Three allowed in the minute, whichever node took them; then both nodes refuse.
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        var quotaOnA = await nodes.A.Services.GetRequiredService<ConversationService>().QuotaAsync(ada);
        Assert.Equal(0, quotaOnA!.MinuteRemaining);
        Assert.Equal(3, nodes.A.Groq.Requests.Count + nodes.B.Groq.Requests.Count);
    }

    [Fact]
    public async Task A_reply_cached_on_node_A_is_a_cache_hit_on_node_B()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var ada = await nodes.A.RegisterAsync("ada@example.org");
        var key = await nodes.A.CreateKeyAsync(ada);

        using var first = await AskAsync(nodes.A, key, "What does a compiler do?");
        using var second = await AskAsync(nodes.B, key, "What does a compiler do?");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        Assert.Equal(await Content(first), await Content(second));
        Assert.Single(nodes.A.Groq.Requests);
        Assert.Empty(nodes.B.Groq.Requests);
        await nodes.B.Services.GetRequiredService<LedgerWriter>().FlushAsync();
        await nodes.A.Services.GetRequiredService<LedgerWriter>().FlushAsync();
        var outcomes = (await nodes.B.Services.GetRequiredService<UsageQueries>().LedgerPageAsync(
            new LedgerFilter(UsagePeriod.Today(TimeProvider.System)), 0, 10)).Rows.Select(r => r.Outcome).Order();
        Assert.Equal([LedgerOutcomes.Cached, LedgerOutcomes.Ok], outcomes);

        static async Task<string?> Content(HttpResponseMessage response) =>
            (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
    }

    [Fact]
    public async Task A_reply_running_on_node_A_is_followed_live_on_node_B_and_stopped_from_there()
    {
        await using var nodes = await TwoNodes.StartAsync(new Dictionary<string, string?> { ["Llm:CacheTtlSeconds"] = "0" });
        var text = string.Concat(Enumerable.Range(1, 40).Select(i => $"Step {i}. "));
        nodes.A.Groq.Default = FakeGroqServer.Reply(GroqStream.Reply(text, pieceLength: 8), TimeSpan.FromMilliseconds(60));
        var ada = await nodes.A.RegisterAsync("ada@example.org");
        var conversation = await nodes.A.Services.GetRequiredService<ConversationStore>().CreateAsync(ada, new LearnerContext());
        var onA = nodes.A.Services.GetRequiredService<ConversationService>();
        var onB = nodes.B.Services.GetRequiredService<ConversationService>();

        var sent = await onA.SendAsync(ada, conversation, "Walk me through it");
        var followed = onB.FindRun(ada, sent.Reply!.Id);
        var grew = 0;
        followed!.Changed += () => Interlocked.Increment(ref grew);
        await followed.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        await sent.Run!.Completion;

        Assert.Null(onB.FindRun("someone-else", sent.Reply.Id)); // only its owner may follow a reply
        Assert.Equal(new GenerationSnapshot(text, "", MessageStatus.Complete, null), followed.Snapshot());
        Assert.True(grew > 2, $"the followed reply grew in steps ({grew}), not all at once");

        var second = await onA.SendAsync(ada, conversation, "Again, slowly");
        var followedAgain = onB.FindRun(ada, second.Reply!.Id)!;
        await Eventually.TrueAsync(() => Task.FromResult(followedAgain.TextLength > 0), TimeSpan.FromSeconds(30), "the second reply to reach node B");
        followedAgain.Stop();
        await second.Run!.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        await followedAgain.Completion.WaitAsync(TimeSpan.FromSeconds(60));

        var stopped = second.Run.Snapshot();
        Assert.Equal((MessageStatus.Stopped, GenerationRun.StoppedByLearner), (stopped.Status, stopped.StatusDetail));
        Assert.True(stopped.Text.Length < text.Length, "stopped before the end");
        Assert.Equal(stopped, followedAgain.Snapshot());
    }

    [Fact]
    public async Task A_hub_client_on_node_B_follows_a_reply_asked_through_node_As_hub()
    {
        await using var nodes = await TwoNodes.StartAsync(new Dictionary<string, string?> { ["Llm:CacheTtlSeconds"] = "0" });
        var text = string.Concat(Enumerable.Range(1, 40).Select(i => $"Step {i}. "));
        nodes.A.Groq.Default = FakeGroqServer.Reply(GroqStream.Reply(text, pieceLength: 8), TimeSpan.FromMilliseconds(40));
        await nodes.A.RegisterAsync("ada@example.org");
        using var http = nodes.A.CreateClient();
        var token = await http.PostAsJsonAsync("api/auth/token", new { email = "ada@example.org", password = "correct-horse-42" });
        var accessToken = (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        await using var onA = Connect(nodes.A);
        await using var onB = Connect(nodes.B);
        await Task.WhenAll(onA.StartAsync(), onB.StartAsync());
        var conversation = await onA.InvokeAsync<Guid>("StartConversation");

        var followed = new List<TutorStreamItem>();
        Task? following = null;
        var asked = new List<TutorStreamItem>();
        await foreach (var item in onA.StreamAsync<TutorStreamItem>("Ask", conversation, "Walk me through it"))
        {
            asked.Add(item);
            following ??= item.Kind == "text" ? Collect(onB.StreamAsync<TutorStreamItem>("Follow", conversation)) : null;
        }
        await following!.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(text, string.Concat(followed.Where(i => i.Kind == "text").Select(i => i.Text)));
        Assert.True(followed.Count(i => i.Kind == "text") > 1, "followed live, in steps");
        Assert.Equal(("done", "Complete"), (followed[^1].Kind, followed[^1].Status));
        Assert.Empty(nodes.B.Groq.Requests);

        HubConnection Connect(KestrelPortal node) => new HubConnectionBuilder()
            .WithUrl(new Uri(node.BaseUri, TutorHub.Path.TrimStart('/')), o => o.AccessTokenProvider = () => Task.FromResult(accessToken))
            .Build();
        async Task Collect(IAsyncEnumerable<TutorStreamItem> stream)
        {
            await foreach (var item in stream)
            {
                followed.Add(item);
            }
        }
    }

    [Fact]
    public async Task One_reply_at_a_time_per_conversation_holds_across_nodes()
    {
        await using var nodes = await TwoNodes.StartAsync();
        nodes.A.Groq.Default = FakeGroqServer.Reply(GroqStream.Reply("A slow and careful answer.", pieceLength: 2), TimeSpan.FromMilliseconds(100));
        var ada = await nodes.A.RegisterAsync("ada@example.org");
        var conversation = await nodes.A.Services.GetRequiredService<ConversationStore>().CreateAsync(ada, new LearnerContext());

        var onA = await nodes.A.Services.GetRequiredService<ConversationService>().SendAsync(ada, conversation, "Explain recursion");
        var onB = await nodes.B.Services.GetRequiredService<ConversationService>().SendAsync(ada, conversation, "And iteration?");
        await onA.Run!.Completion;
        var afterwards = await nodes.B.Services.GetRequiredService<ConversationService>().SendAsync(ada, conversation, "And iteration?");

        Assert.Null(onA.Error);
        Assert.Equal(ConversationService.StillAnswering, onB.Error);
        Assert.Null(afterwards.Error);
        await afterwards.Run!.Completion;
    }

    [Fact]
    public async Task An_admin_dashboard_on_node_B_hears_of_calls_made_on_node_A()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var ada = await nodes.A.RegisterAsync("ada@example.org");
        var key = await nodes.A.CreateKeyAsync(ada);
        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        nodes.B.Services.GetRequiredService<ILedgerActivity>().Changed += () => heard.TrySetResult();

        using var response = await AskAsync(nodes.A, key, "What is a variable?");
        await nodes.A.Services.GetRequiredService<LedgerWriter>().FlushAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await heard.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(nodes.B.Groq.Requests);
    }

    [Fact]
    public async Task What_one_node_hears_of_the_providers_organisation_limit_holds_back_the_other()
    {
        await using var nodes = await TwoNodes.StartAsync(new Dictionary<string, string?> { ["Llm:CacheTtlSeconds"] = "0" });
        nodes.A.Groq.Default = FakeGroqServer.Reply(GroqStream.Reply("Hi."), headers: new Dictionary<string, string>
        {
            ["x-ratelimit-remaining-requests"] = "0", ["x-ratelimit-reset-requests"] = "20s",
        });
        var ada = await nodes.A.RegisterAsync("ada@example.org");
        var key = await nodes.A.CreateKeyAsync(ada);
        var throttleOnB = nodes.B.Services.GetRequiredService<ProviderRegistry>().Get("groq").Throttle;
        Assert.Equal(TimeSpan.Zero, throttleOnB.WaitFor(100));

        using var response = await AskAsync(nodes.A, key, "Hello?");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // B never called Groq, yet waits for the organisation's reset instead of running into a 429.
        await Eventually.TrueAsync(() => Task.FromResult(throttleOnB.WaitFor(100) > TimeSpan.FromSeconds(10)),
            TimeSpan.FromSeconds(30), "node B to hear node A's rate-limit headers");
        Assert.Empty(nodes.B.Groq.Requests);
    }

    [Fact]
    public async Task A_node_that_loses_Redis_is_unready_refuses_visibly_and_recovers()
    {
        await using var nodes = await TwoNodes.StartAsync(new Dictionary<string, string?> { ["Llm:CacheTtlSeconds"] = "0" });
        var ada = await nodes.A.RegisterAsync("ada@example.org");
        var key = await nodes.A.CreateKeyAsync(ada);
        var conversations = nodes.A.Services.GetRequiredService<ConversationService>();
        var conversation = await nodes.A.Services.GetRequiredService<ConversationStore>().CreateAsync(ada, new LearnerContext());
        using var http = nodes.A.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health/ready")).StatusCode);

        nodes.Redis.Stop();

        await Eventually.TrueAsync(async () => (await http.GetAsync("health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(30), "node A to report Redis down");
        var report = JsonDocument.Parse(await http.GetStringAsync("health/live")); // alive, only not ready
        Assert.Equal("Healthy", report.RootElement.GetProperty("status").GetString());
        using var refused = await AskAsync(nodes.A, key, "Are you there?");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("shared store (Redis) does not answer", await refused.Content.ReadAsStringAsync());
        // In the chat the learner's message is kept and they are told why no reply starts.
        var sent = await conversations.SendAsync(ada, conversation, "Is anyone there?");
        Assert.NotNull(sent.UserMessage);
        Assert.Null(sent.Run);
        Assert.Equal(RedisQuotaCounters.Unavailable, sent.Error);
        Assert.Empty(nodes.A.Groq.Requests);

        await nodes.Redis.StartAgainAsync();

        await Eventually.TrueAsync(async () => (await http.GetAsync("health/ready")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "node A to see Redis again");
        using var answered = await AskAsync(nodes.A, key, "Are you back?");
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
    }

    [Fact]
    public async Task Course_material_is_indexed_once_by_whichever_node_claims_it_and_a_dead_nodes_upload_is_taken_over()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var tess = await nodes.A.RegisterAsync("tess@example.org");
        var factory = nodes.A.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        await using (var db = await factory.CreateDbContextAsync())
        {
            var role = new IdentityRole(Roles.Teacher) { NormalizedName = Roles.Teacher.ToUpperInvariant() };
            db.Roles.Add(role);
            db.UserRoles.Add(new IdentityUserRole<string> { UserId = tess, RoleId = role.Id });
            await db.SaveChangesAsync();
        }
        var (course, error) = await nodes.A.Services.GetRequiredService<CourseService>()
            .CreateAsync(tess, new CourseDraft("Python 101", "Python", "beginner", TutorMode.FullHelp));
        Assert.Null(error);
        static byte[] Page(string name) => File.ReadAllBytes(Path.Combine(PythonTutorial.DocsFolder, "tutorial", name));

        // Left half indexed by a node that died (no heartbeat in Redis).
        var orphan = Guid.NewGuid();
        await using (var db = await factory.CreateDbContextAsync())
        {
            db.MaterialUploads.Add(new MaterialUpload
            {
                Id = orphan, CourseId = course!.Id, UploadedByUserId = tess, FileName = "appetite.html", Content = Page("appetite.html"),
                State = MaterialJobState.Indexing, Node = "dead1234abcd@gone:7", Embedded = 4, Passages = 9,
                QueuedAtUtc = DateTime.UtcNow, ChangedAtUtc = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        var claims = new System.Collections.Concurrent.ConcurrentQueue<(char Node, Guid Job)>();
        foreach (var (name, node) in new[] { ('A', nodes.A), ('B', nodes.B) })
        {
            node.Services.GetRequiredService<MaterialIngestion>().Changed += job =>
            {
                if (job is { State: MaterialJobState.Indexing, Passages: 0 })
                {
                    claims.Enqueue((name, job.Id));
                }
            };
        }
        var pages = new[] { "interpreter.html", "whatnow.html", "venv.html", "interactive.html" };
        for (var i = 0; i < pages.Length; i++)
        {
            var node = i % 2 == 0 ? nodes.A : nodes.B;
            Assert.Null((await node.Services.GetRequiredService<MaterialIngestion>().EnqueueAsync(tess, course.Id, pages[i], Page(pages[i]))).Error);
        }

        // Node B's view of the course's uploads (it shows what either node indexes) until all are done.
        var ingestionOnB = nodes.B.Services.GetRequiredService<MaterialIngestion>();
        IReadOnlyList<MaterialJob> jobs = [];
        for (var deadline = DateTime.UtcNow.AddMinutes(3); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            jobs = (await ingestionOnB.JobsAsync(tess, course.Id))!;
            if (jobs.Count == pages.Length + 1 && jobs.All(j => j.Finished))
            {
                break;
            }
        }
        Assert.Equal(pages.Length + 1, jobs.Count);
        Assert.All(jobs, j => Assert.Equal(MaterialJobState.Added, j.State));
        // Each upload claimed by one node only; the dead node's taken over.
        Assert.Equal(jobs.Select(j => j.Id).Order(), claims.Select(c => c.Job).Distinct().Order());
        Assert.Equal(claims.Count, claims.Select(c => c.Job).Distinct().Count());
        Assert.Contains(claims, c => c.Job == orphan);
        var materials = (await nodes.B.Services.GetRequiredService<CourseMaterialLibrary>().ListAsync(tess, course.Id))!;
        Assert.Equal(jobs.Select(j => j.Id).Order(), materials.Select(m => m.Id).Order());
    }
}
