using CodeMentor.Core.Courses;
using CodeMentor.Core.Courses.Material;
using CodeMentor.Core.Data;
using CodeMentor.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace CodeMentor.Tests.Quality;

/// <summary>
/// Retrieval on real course material no one here wrote, from Debian's python3-doc, uploaded as its HTML pages.
/// Four question sets (Data/CourseMaterial): the tutorial's 84, written before the retrieval code and used since
/// to choose its settings; the HOWTOs' 45, written before any change was tried on them (held out), which show
/// whether a change tuned on the first generalises; 59 on five library pages and the sockets HOWTO, and 53 on five
/// more library pages, each written before any retrieval ran on its pages to decide the next change by a rule fixed
/// beforehand (in the set's file).
/// The goal is the passage that answers a question among the 5 retrieved for at least 90% of the questions; each
/// test holds the level measured (see docs/tutoring-quality.md) against regressions. The figures printed here are those in the doc.
/// </summary>
public abstract class CourseRetrievalQualityTests(PythonDocsCourse course, ITestOutputHelper output)
{
    protected abstract PythonTutorial.QuestionSet Set { get; }

    /// <summary>The recall@5 below which the test fails: the level measured when retrieval last changed, rounded down.</summary>
    protected abstract double Floor { get; }

    /// <summary>The share of course questions that must be judged covered (every set measures more).</summary>
    private const double CoveredFloor = 0.9;

    private CourseRetrieval Retrieval => course.Host.Get<CourseRetrieval>();

    /// <summary>The passage as a citation shows it — its headings and its text — holds the answer phrase, on the right page.</summary>
    private bool Answers(PythonTutorial.Question question, CoursePassageText passage) =>
        course.PageOf[passage.MaterialId] == question.Page
        && PythonTutorial.Normalize(passage.Section + "\n" + passage.Text).Contains(PythonTutorial.Normalize(question.Answer), StringComparison.Ordinal);

    [Fact]
    public async Task The_passage_answering_a_question_is_in_the_top_5_as_often_as_measured()
    {
        var retrieval = Retrieval;
        var ranks = new List<int?>();
        var covered = 0;
        foreach (var question in Set.Questions)
        {
            var found = await retrieval.SearchAsync(course.CourseId, question.Q, 5);
            var index = found.Passages.ToList().FindIndex(p => Answers(question, new(p.MaterialId, p.Section, p.Text)));
            int? rank = index >= 0 ? index + 1 : null;
            ranks.Add(rank);
            covered += found.Covered ? 1 : 0;
            if (rank is null)
            {
                output.WriteLine($"MISS {question.Page}: {question.Q} -> {string.Join(" | ", found.Passages.Select(p => $"{course.PageOf[p.MaterialId]} {p.Section} ({p.Similarity:0.00})"))}");
            }
        }
        var recall5 = ranks.Count(r => r is not null) / (double)ranks.Count;
        var recall1 = ranks.Count(r => r == 1) / (double)ranks.Count;
        var mrr = ranks.Sum(r => r is { } k ? 1.0 / k : 0) / ranks.Count;
        output.WriteLine($"{course.Database} {course.Name}: {Set.Questions.Count} questions, recall@1 {recall1:P1}, recall@5 {recall5:P1}, MRR@5 {mrr:0.000}, judged covered {covered}/{Set.Questions.Count}");
        Assert.True(recall5 >= Floor, $"recall@5 {recall5:P1}, below the {Floor:P0} measured when this was last changed (the goal is 90%)");
    }

    /// <summary>A question whose answer phrase is in no passage of its page could never be answered: the set would be wrong.</summary>
    [Fact]
    public async Task Every_answer_phrase_is_in_a_passage_of_its_page()
    {
        await using var db = await course.Host.DbAsync();
        var passages = await db.CoursePassages.Where(p => p.CourseId == course.CourseId)
            .Select(p => new CoursePassageText(p.MaterialId, p.Section, p.Text)).ToListAsync();
        var unanswerable = Set.Questions.Where(q => !passages.Any(p => Answers(q, p))).Select(q => $"{q.Page}: {q.Answer}").ToList();
        Assert.True(unanswerable.Count == 0, "answer phrases in no passage: " + string.Join("; ", unanswerable));
    }

    /// <summary>Questions the course answers are said to be covered. The threshold was set before this was measured
    /// (CourseRetrieval.CoveredSimilarity).</summary>
    [Fact]
    public async Task Questions_the_course_answers_are_reported_as_covered()
    {
        var retrieval = Retrieval;
        var inside = 0;
        foreach (var question in Set.Questions)
        {
            inside += (await retrieval.SearchAsync(course.CourseId, question.Q, 5)).Covered ? 1 : 0;
        }
        output.WriteLine($"{course.Database} {course.Name}: covered {inside}/{Set.Questions.Count} course questions");
        Assert.True(inside >= Set.Questions.Count * CoveredFloor, $"only {inside}/{Set.Questions.Count} course questions said covered");
    }

    private PythonDocsCourse Course => course;

    private ITestOutputHelper Output => output;

    /// <summary>The tutorial set: at least 60 questions, as the goal asks. Measured 91.7% (SQLite) and 92.9% (PostgreSQL);
    /// the goal, 90%, is the floor of both.</summary>
    public abstract class Tutorial(PythonDocsCourse course, ITestOutputHelper output) : CourseRetrievalQualityTests(course, output)
    {
        protected override PythonTutorial.QuestionSet Set { get; } = PythonTutorial.Load();

        [Fact]
        public void The_set_has_at_least_60_questions() => Assert.True(Set.Questions.Count >= 60, $"{Set.Questions.Count} questions");

        /// <summary>Questions far from the course (only this set has them) are said not to be covered; the threshold was
        /// set before this was measured (CourseRetrieval.CoveredSimilarity).</summary>
        [Fact]
        public async Task Questions_outside_the_course_are_reported_as_not_covered()
        {
            Assert.NotEmpty(Set.NotCovered);
            var retrieval = Retrieval;
            var outside = 0;
            foreach (var question in Set.NotCovered)
            {
                var found = await retrieval.SearchAsync(Course.CourseId, question, 5);
                outside += found.Covered ? 0 : 1;
                Output.WriteLine($"{(found.Covered ? "COVERED" : "not covered")} {found.Passages.Max(p => p.Similarity):0.00} {question}");
            }
            Output.WriteLine($"{Course.Database} {Course.Name}: not covered {outside}/{Set.NotCovered.Count} outside questions");
            Assert.True(outside >= Set.NotCovered.Count * 0.75, $"only {outside}/{Set.NotCovered.Count} outside questions said not covered");
        }
    }

    /// <summary>The held-out HOWTO set. Measured 77.8% (SQLite) and 75.6% (PostgreSQL); floors 75%.</summary>
    public abstract class HeldOut(PythonDocsCourse course, ITestOutputHelper output) : CourseRetrievalQualityTests(course, output)
    {
        protected override PythonTutorial.QuestionSet Set { get; } = PythonTutorial.LoadHeldOut();
    }

    /// <summary>The second held-out set, on library pages (see python-library-questions.json for when and why it was written).
    /// Measured 78.0% (SQLite) and 74.6% (PostgreSQL) once passages followed definitions; 56 of its 59 questions judged
    /// covered on both engines (53 before).</summary>
    public abstract class Library(PythonDocsCourse course, ITestOutputHelper output) : CourseRetrievalQualityTests(course, output)
    {
        protected override PythonTutorial.QuestionSet Set { get; } = PythonTutorial.LoadLibrary();
    }

    /// <summary>The third held-out set, on five library reference pages (see python-reference-questions.json for when and
    /// why it was written). Measured 75.5% (SQLite) and 77.4% (PostgreSQL); 73.6% and 75.5% before passages followed
    /// definitions.</summary>
    public abstract class Reference(PythonDocsCourse course, ITestOutputHelper output) : CourseRetrievalQualityTests(course, output)
    {
        protected override PythonTutorial.QuestionSet Set { get; } = PythonTutorial.LoadReference();
    }

    public sealed class TutorialOnSqlite(PythonDocsCourse.TutorialOnSqlite course, ITestOutputHelper output)
        : Tutorial(course, output), IClassFixture<PythonDocsCourse.TutorialOnSqlite>
    {
        protected override double Floor => 0.90;
    }

    public sealed class TutorialOnPostgres(PythonDocsCourse.TutorialOnPostgres course, ITestOutputHelper output)
        : Tutorial(course, output), IClassFixture<PythonDocsCourse.TutorialOnPostgres>
    {
        protected override double Floor => 0.90;
    }

    public sealed class HeldOutOnSqlite(PythonDocsCourse.HowtosOnSqlite course, ITestOutputHelper output)
        : HeldOut(course, output), IClassFixture<PythonDocsCourse.HowtosOnSqlite>
    {
        protected override double Floor => 0.75;
    }

    public sealed class HeldOutOnPostgres(PythonDocsCourse.HowtosOnPostgres course, ITestOutputHelper output)
        : HeldOut(course, output), IClassFixture<PythonDocsCourse.HowtosOnPostgres>
    {
        protected override double Floor => 0.75;
    }

    public sealed class LibraryOnSqlite(PythonDocsCourse.LibraryOnSqlite course, ITestOutputHelper output)
        : Library(course, output), IClassFixture<PythonDocsCourse.LibraryOnSqlite>
    {
        protected override double Floor => 0.77;
    }

    public sealed class LibraryOnPostgres(PythonDocsCourse.LibraryOnPostgres course, ITestOutputHelper output)
        : Library(course, output), IClassFixture<PythonDocsCourse.LibraryOnPostgres>
    {
        protected override double Floor => 0.74;
    }

    public sealed class ReferenceOnSqlite(PythonDocsCourse.ReferenceOnSqlite course, ITestOutputHelper output)
        : Reference(course, output), IClassFixture<PythonDocsCourse.ReferenceOnSqlite>
    {
        protected override double Floor => 0.75;
    }

    public sealed class ReferenceOnPostgres(PythonDocsCourse.ReferenceOnPostgres course, ITestOutputHelper output)
        : Reference(course, output), IClassFixture<PythonDocsCourse.ReferenceOnPostgres>
    {
        protected override double Floor => 0.77;
    }
}

/// <summary>What the scoring reads of a passage.</summary>
public sealed record CoursePassageText(Guid MaterialId, string Section, string Text);

/// <summary>A course holding pages of python3-doc (the tutorial's 16, six HOWTOs, five library pages and a HOWTO, or five more
/// library pages), uploaded once for all tests of a class.</summary>
public abstract class PythonDocsCourse(DatabaseProvider database, string name, Func<IReadOnlyList<string>> pages) : IAsyncLifetime
{
    public DatabaseProvider Database => database;
    public string Name => name;
    public CoreHost Host { get; private set; } = default!;
    public Guid CourseId { get; private set; }
    public string TeacherId { get; private set; } = "";

    /// <summary>The page each uploaded material came from.</summary>
    public Dictionary<Guid, string> PageOf { get; } = [];

    public async Task InitializeAsync()
    {
        Host = await CoreHost.StartAsync(database: database);
        var teacher = TeacherId = await Host.CreateTeacherAsync("tess@example.org");
        var (course, error) = await Host.Get<CourseService>().CreateAsync(teacher, new CourseDraft("Python 101", "Python", "beginner", TutorMode.SmallExamples));
        Assert.Null(error);
        CourseId = course!.Id;
        foreach (var page in pages())
        {
            var (material, refused) = await Host.Get<CourseMaterialLibrary>().UploadAsync(teacher, CourseId, Path.GetFileName(page), await File.ReadAllBytesAsync(page));
            Assert.True(refused is null, refused);
            PageOf[material!.Id] = Path.GetFileName(page);
        }
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public sealed class TutorialOnSqlite() : PythonDocsCourse(DatabaseProvider.Sqlite, "tutorial", () => PythonTutorial.TutorialPages);

    public sealed class TutorialOnPostgres() : PythonDocsCourse(DatabaseProvider.Postgres, "tutorial", () => PythonTutorial.TutorialPages);

    public sealed class HowtosOnSqlite() : PythonDocsCourse(DatabaseProvider.Sqlite, "HOWTOs", () => PythonTutorial.HowtoPages);

    public sealed class HowtosOnPostgres() : PythonDocsCourse(DatabaseProvider.Postgres, "HOWTOs", () => PythonTutorial.HowtoPages);

    public sealed class LibraryOnSqlite() : PythonDocsCourse(DatabaseProvider.Sqlite, "library pages", () => PythonTutorial.LibraryPages);

    public sealed class LibraryOnPostgres() : PythonDocsCourse(DatabaseProvider.Postgres, "library pages", () => PythonTutorial.LibraryPages);

    public sealed class ReferenceOnSqlite() : PythonDocsCourse(DatabaseProvider.Sqlite, "reference pages", () => PythonTutorial.ReferencePages);

    public sealed class ReferenceOnPostgres() : PythonDocsCourse(DatabaseProvider.Postgres, "reference pages", () => PythonTutorial.ReferencePages);
}
