using CodeMentor.Core.Courses;
using CodeMentor.Core.Courses.Material;
using CodeMentor.Core.Data;
using CodeMentor.Tests.Support;
using CsCheck;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace CodeMentor.Tests.Integration;

/// <summary>
/// PostgreSQL's full-text search ranks first only the passages holding a question's rarer words and keeps that top when
/// no passage holding only common words could beat it, else ranks again leaving out the commonest words that could not
/// (MaxScore). That must never change what is found: on generated courses and questions, the answer equals ranking
/// every passage that matches any word, in the same order.
/// </summary>
public sealed class PostgresFullTextRankingTests(ITestOutputHelper output) : IAsyncLifetime
{
    // Drawn Zipf-like (the i-th word in proportion to 1/i²): the first words are in every passage, the last in few.
    // "the" is a stop word and "utf8" a phrase; the last ones give the parser quotes, backslashes, a path and a URL.
    private static readonly string[] Vocabulary =
        ["python", "code", "list", "function", "value", "string", "loop", "stack", "queue", "decorator", "generator", "slice",
         "tuple", "lambda", "yield", "closure", "the", "utf8", "O'Brien's", @"C:\Users\me\x.py", @"back\slash", "'quoted'",
         "http://example.org/a?b=c&d='e'", "a:b|c&!d"];

    private CoreHost _host = default!;
    private Guid _courseId;
    private Guid _materialId;

    public async Task InitializeAsync()
    {
        _host = await CoreHost.StartAsync(database: DatabaseProvider.Postgres);
        var teacher = await _host.CreateTeacherAsync("tess@example.org");
        var (course, error) = await _host.Get<CourseService>().CreateAsync(teacher, new CourseDraft("Python 101", "Python", "beginner", TutorMode.SmallExamples));
        Assert.Null(error);
        _courseId = course!.Id;
        _materialId = Guid.NewGuid();
        await using var db = await _host.DbAsync();
        db.CourseMaterials.Add(new CourseMaterial
        {
            Id = _materialId, CourseId = _courseId, Title = "Notes", FileName = "notes.md", Kind = MaterialKind.Markdown,
            UploadedAtUtc = DateTime.UtcNow, UploadedByUserId = teacher,
        });
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static readonly Gen<string> Word = Gen.Frequency(Vocabulary.Select((w, i) => (10_000 / ((i + 1) * (i + 1)), w)).ToArray());

    private static readonly Gen<string> PassageText = Gen.Select(Word.Array[8, 60], Gen.Int[0, 3], (words, extra) => string.Join(' ', words) + new string('.', extra));

    private static readonly Gen<(string[] Passages, string[] Question, int Limit)> Case =
        Gen.Select(PassageText.Array[5, 200], Gen.Int[0, Vocabulary.Length - 1].Select(i => Vocabulary[i]).Array[1, 5], Gen.Int[1, 6]);

    [Fact]
    public async Task Ranking_the_rarer_words_first_finds_exactly_what_ranking_every_match_finds()
    {
        var engine = (PostgresEngine)_host.Get<DatabaseEngine>();
        var (pruned, narrowed) = (engine.PrunedSearches, engine.NarrowedSearches);
        var version = 0;
        await Case.SampleAsync(async sample =>
        {
            version++;
            await using var db = await _host.DbAsync();
            await db.CoursePassages.Where(p => p.CourseId == _courseId).ExecuteDeleteAsync();
            db.CoursePassages.AddRange(sample.Passages.Select((text, i) => new CoursePassage
            {
                MaterialId = _materialId, CourseId = _courseId, Ordinal = i, Section = "", Text = text, Embedding = new byte[TextEmbedder.Dimensions * sizeof(float)],
            }));
            await db.SaveChangesAsync();

            var fast = await engine.SearchPassagesAsync(db, _courseId, version, sample.Question, sample.Limit, rarerWordsFirst: true, CancellationToken.None);
            var every = await engine.SearchPassagesAsync(db, _courseId, version, sample.Question, sample.Limit, rarerWordsFirst: false, CancellationToken.None);
            Assert.Equal(every, fast);
        }, iter: 300, threads: 1);
        var (first, second) = (engine.PrunedSearches - pruned, engine.NarrowedSearches - narrowed);
        output.WriteLine($"of 300 searches, {first} answered by the first ranking alone, {second} by a second that left common words out");
        // Both shortcuts were taken often enough for the comparison to mean something.
        Assert.True(first >= 15 && second >= 15, $"first ranking alone {first}, second ranking narrowed {second}");
    }
}
