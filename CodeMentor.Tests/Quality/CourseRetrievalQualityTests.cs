using CodeMentor.Core.Accounts;
using CodeMentor.Core.Courses;
using CodeMentor.Core.Courses.Material;
using CodeMentor.Core.Data;
using CodeMentor.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace CodeMentor.Tests.Quality;

/// <summary>
/// Retrieval on real course material no one here wrote — the Python tutorial from Debian's python3-doc,
/// uploaded as its 16 HTML pages — with the question set written before the retrieval code
/// (Data/CourseMaterial/python-tutorial-questions.json). The goal is the passage that answers a question
/// among the 5 retrieved for at least 90% of the questions; it is NOT met yet (86.9% on SQLite, 82.1% on
/// PostgreSQL, whose full-text ranking differs; see docs/tutoring-quality.md), so the test holds each
/// engine's measured level against regressions. The figures printed here are those in the doc.
/// </summary>
public abstract class CourseRetrievalQualityTests(TutorialCourse tutorial, ITestOutputHelper output)
{
    private static readonly PythonTutorial.QuestionSet Set = PythonTutorial.Load();
    private CourseRetrieval Retrieval => tutorial.Host.Get<CourseRetrieval>();

    /// <summary>The passage as a citation shows it — its headings and its text — holds the answer phrase, on the right page.</summary>
    private bool Answers(PythonTutorial.Question question, RetrievedPassage passage) =>
        tutorial.PageOf[passage.MaterialId] == question.Page
        && PythonTutorial.Normalize(passage.Section + "\n" + passage.Text).Contains(PythonTutorial.Normalize(question.Answer), StringComparison.Ordinal);

    [Fact]
    public async Task The_passage_answering_a_question_is_in_the_top_5_as_often_as_measured()
    {
        Assert.True(Set.Questions.Count >= 60, $"{Set.Questions.Count} questions");
        var retrieval = Retrieval;
        var ranks = new List<int?>();
        var covered = 0;
        foreach (var question in Set.Questions)
        {
            var found = await retrieval.SearchAsync(tutorial.CourseId, question.Q, 5);
            var index = found.Passages.ToList().FindIndex(p => Answers(question, p));
            int? rank = index >= 0 ? index + 1 : null;
            ranks.Add(rank);
            covered += found.Covered ? 1 : 0;
            if (rank is null)
            {
                output.WriteLine($"MISS {question.Page}: {question.Q} -> {string.Join(" | ", found.Passages.Select(p => $"{tutorial.PageOf[p.MaterialId]} {p.Section} ({p.Similarity:0.00})"))}");
            }
        }
        var recall5 = ranks.Count(r => r is not null) / (double)ranks.Count;
        var recall1 = ranks.Count(r => r == 1) / (double)ranks.Count;
        var mrr = ranks.Sum(r => r is { } k ? 1.0 / k : 0) / ranks.Count;
        output.WriteLine($"{tutorial.Database}: {Set.Questions.Count} questions, recall@1 {recall1:P1}, recall@5 {recall5:P1}, MRR@5 {mrr:0.000}, judged covered {covered}/{Set.Questions.Count}");
        // The goal is 0.90; these are the levels measured when written (86.9% and 82.1%), rounded down.
        var floor = tutorial.Database == DatabaseProvider.Sqlite ? 0.85 : 0.80;
        Assert.True(recall5 >= floor, $"recall@5 {recall5:P1}, below the {floor:P0} measured when written (the goal is 90%)");
    }

    /// <summary>Questions far from the course are said not to be covered; questions the course answers are not.
    /// The threshold was set before this was measured (CourseRetrieval.CoveredSimilarity).</summary>
    [Fact]
    public async Task Questions_outside_the_course_are_reported_as_not_covered()
    {
        var retrieval = Retrieval;
        var outside = 0;
        foreach (var question in Set.NotCovered)
        {
            var found = await retrieval.SearchAsync(tutorial.CourseId, question, 5);
            outside += found.Covered ? 0 : 1;
            output.WriteLine($"{(found.Covered ? "COVERED" : "not covered")} {found.Passages.Max(p => p.Similarity):0.00} {question}");
        }
        var inside = 0;
        foreach (var question in Set.Questions)
        {
            inside += (await retrieval.SearchAsync(tutorial.CourseId, question.Q, 5)).Covered ? 1 : 0;
        }
        output.WriteLine($"{tutorial.Database}: not covered {outside}/{Set.NotCovered.Count} outside questions; covered {inside}/{Set.Questions.Count} course questions");
        Assert.True(outside >= Set.NotCovered.Count * 0.75, $"only {outside}/{Set.NotCovered.Count} outside questions said not covered");
        Assert.True(inside >= Set.Questions.Count * 0.9, $"only {inside}/{Set.Questions.Count} course questions said covered");
    }

    public sealed class OnSqlite(TutorialCourse.OnSqlite tutorial, ITestOutputHelper output)
        : CourseRetrievalQualityTests(tutorial, output), IClassFixture<TutorialCourse.OnSqlite>;

    public sealed class OnPostgres(TutorialCourse.OnPostgres tutorial, ITestOutputHelper output)
        : CourseRetrievalQualityTests(tutorial, output), IClassFixture<TutorialCourse.OnPostgres>;
}

/// <summary>A course holding the 16 pages of the Python tutorial, uploaded once for all tests of a class.</summary>
public abstract class TutorialCourse(DatabaseProvider database) : IAsyncLifetime
{
    public DatabaseProvider Database => database;
    public CoreHost Host { get; private set; } = default!;
    public Guid CourseId { get; private set; }
    public string TeacherId { get; private set; } = "";

    /// <summary>The tutorial page each uploaded material came from.</summary>
    public Dictionary<Guid, string> PageOf { get; } = [];

    public async Task InitializeAsync()
    {
        Host = await CoreHost.StartAsync(database: database);
        var teacher = TeacherId = await Host.CreateUserAsync("tess@example.org");
        await using (var db = await Host.DbAsync())
        {
            var role = new IdentityRole(Roles.Teacher) { NormalizedName = Roles.Teacher.ToUpperInvariant() };
            db.Roles.Add(role);
            db.UserRoles.Add(new IdentityUserRole<string> { UserId = teacher, RoleId = role.Id });
            await db.SaveChangesAsync();
        }
        var (course, error) = await Host.Get<CourseService>().CreateAsync(teacher, new CourseDraft("Python 101", "Python", "beginner", TutorMode.SmallExamples));
        Assert.Null(error);
        CourseId = course!.Id;
        foreach (var page in PythonTutorial.TutorialPages)
        {
            var (material, refused) = await Host.Get<CourseMaterialLibrary>().UploadAsync(teacher, CourseId, Path.GetFileName(page), await File.ReadAllBytesAsync(page));
            Assert.True(refused is null, refused);
            PageOf[material!.Id] = Path.GetFileName(page);
        }
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public sealed class OnSqlite() : TutorialCourse(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : TutorialCourse(DatabaseProvider.Postgres);
}
