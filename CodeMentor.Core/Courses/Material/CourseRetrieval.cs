using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using CodeMentor.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CodeMentor.Core.Courses.Material;

/// <summary>A passage found for a question, with what the citation shows.</summary>
public sealed record RetrievedPassage(long Id, Guid MaterialId, string MaterialTitle, string Section, int? Page, string Text, float Similarity);

/// <summary>What retrieval found: the passages, best first, and whether any is close enough to the question to
/// say the course covers it. <see cref="HasMaterial"/> is false when the course has no material at all.</summary>
public sealed record RetrievalResult(IReadOnlyList<RetrievedPassage> Passages, bool Covered, bool HasMaterial)
{
    public static readonly RetrievalResult NoMaterial = new([], false, false);
}

/// <summary>
/// Hybrid retrieval over a course's passages, three rankings fused by reciprocal rank (RRF, k = 60; rank
/// fusion needs no score calibration between them): dense similarity of the question's MiniLM embedding to
/// each passage's, to each passage's best sentence window (<see cref="PassageWindows"/>), and the database's
/// full-text ranking (FTS5 BM25 on SQLite, ts_rank weighted by BM25's IDF on PostgreSQL) over the question's words, of which only
/// the first few count: an OR of a question's words ranks many loosely related passages, and measured on two
/// question sets its lower ranks pushed answers out of the top 5 more often than they brought them in
/// (docs/tutoring-quality.md). Embeddings of a course are held in memory per node, reloaded when the
/// course's material version changes.
/// </summary>
public sealed partial class CourseRetrieval(IDbContextFactory<AppDbContext> db, DatabaseEngine engine, TextEmbedder embedder)
{
    /// <summary>Candidates taken from each dense ranking before fusion.</summary>
    public const int Candidates = 20;

    /// <summary>Candidates taken from the full-text ranking: its best few, which hold the exact matches of a name or term.</summary>
    public const int LexicalCandidates = 5;

    /// <summary>RRF's constant: the usual 60, which damps the difference between the first few ranks.</summary>
    public const int FusionK = 60;

    /// <summary>The course covers a question when a retrieved passage has at least this cosine similarity
    /// to it. Chosen once from all-MiniLM-L6-v2's usual range for related text (0.3–0.4), before any
    /// measurement on the evaluation set; its figures are in docs/tutoring-quality.md.</summary>
    public const float CoveredSimilarity = 0.35f;

    private readonly ConcurrentDictionary<Guid, CourseVectors> _vectors = new();

    /// <summary>A course's embeddings: group i of <paramref name="Passages"/> is passage Ids[i]'s own vector, group i of
    /// <paramref name="Windows"/> its sentence windows (or its own vector again when it has none).</summary>
    private sealed record CourseVectors(int Version, long[] Ids, VectorGroups Passages, VectorGroups Windows)
    {
        public Dictionary<long, int> IndexOf { get; } = Ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
    }

    public async Task<RetrievalResult> SearchAsync(Guid courseId, string question, int count = 5, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var version = await context.Courses.Where(c => c.Id == courseId).Select(c => (int?)c.MaterialVersion).SingleOrDefaultAsync(ct);
        if (version is null or 0)
        {
            return RetrievalResult.NoMaterial;
        }
        var vectors = await VectorsAsync(context, courseId, version.Value, ct);
        if (vectors.Ids.Length == 0)
        {
            return RetrievalResult.NoMaterial;
        }
        // The full-text ranking needs no embedding: it runs (on its own connection) while the question is embedded
        // and the dense rankings computed, instead of after them (measured in docs/benchmarks.md).
        var words = Words(question);
        var lexicalSearch = words.Count == 0 ? Task.FromResult(new List<long>()) : Task.Run(() => LexicalAsync(courseId, version.Value, words, ct), ct);
        var query = embedder.Embed(question, ct);
        var dense = vectors.Passages.Top(query, Candidates).Select(i => vectors.Ids[i]).ToList();
        var denseWindows = vectors.Windows.Top(query, Candidates).Select(i => vectors.Ids[i]).ToList();
        var lexical = await lexicalSearch;

        var fused = new Dictionary<long, double>();
        foreach (var ranking in new[] { dense, denseWindows, lexical })
        {
            for (var rank = 0; rank < ranking.Count; rank++)
            {
                fused[ranking[rank]] = fused.GetValueOrDefault(ranking[rank]) + 1.0 / (FusionK + rank + 1);
            }
        }
        var best = fused.OrderByDescending(f => f.Value).ThenBy(f => f.Key).Take(count).Select(f => f.Key).ToList();
        var rows = await context.CoursePassages.AsNoTracking()
            .Where(p => best.Contains(p.Id))
            .Select(p => new { p.Id, p.MaterialId, Title = context.CourseMaterials.Where(m => m.Id == p.MaterialId).Select(m => m.Title).First(), p.Section, p.Page, p.Text })
            .ToListAsync(ct);
        var found = rows.OrderBy(r => best.IndexOf(r.Id))
            // A passage the full-text search found but the held matrix lacks (uploaded since it was loaded) scores 0.
            .Select(r => new RetrievedPassage(r.Id, r.MaterialId, r.Title, r.Section, r.Page, r.Text,
                vectors.IndexOf.TryGetValue(r.Id, out var row) ? vectors.Passages.Score(query, row) : 0))
            .ToList();
        return new RetrievalResult(found, found.Any(p => p.Similarity >= CoveredSimilarity), true);
    }

    private async Task<List<long>> LexicalAsync(Guid courseId, int materialVersion, List<string> words, CancellationToken ct)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        return await engine.SearchPassagesAsync(context, courseId, materialVersion, words, LexicalCandidates, ct);
    }

    private async Task<CourseVectors> VectorsAsync(AppDbContext context, Guid courseId, int version, CancellationToken ct)
    {
        if (_vectors.TryGetValue(courseId, out var held) && held.Version == version)
        {
            return held;
        }
        var rows = await context.CoursePassages.AsNoTracking().Where(p => p.CourseId == courseId)
            .OrderBy(p => p.Id).Select(p => new { p.Id, p.Embedding, p.WindowEmbeddings }).ToListAsync(ct);
        var matrix = new float[rows.Count * TextEmbedder.Dimensions];
        // A passage without windows (indexed before they existed) stands for its own one window.
        var windows = new float[rows.Sum(r => r.WindowEmbeddings.Length == 0 ? r.Embedding.Length : r.WindowEmbeddings.Length) / sizeof(float)];
        var windowStart = new int[rows.Count + 1];
        var filled = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            TextEmbedder.FromBytes(rows[i].Embedding).CopyTo(matrix.AsSpan(i * TextEmbedder.Dimensions));
            var own = TextEmbedder.FromBytes(rows[i].WindowEmbeddings.Length == 0 ? rows[i].Embedding : rows[i].WindowEmbeddings);
            own.CopyTo(windows.AsSpan(filled));
            filled += own.Length;
            windowStart[i + 1] = filled / TextEmbedder.Dimensions;
        }
        var loaded = new CourseVectors(version, rows.Select(r => r.Id).ToArray(),
            new VectorGroups(matrix, Enumerable.Range(0, rows.Count + 1).ToArray(), TextEmbedder.Dimensions),
            new VectorGroups(windows, windowStart, TextEmbedder.Dimensions));
        _vectors[courseId] = loaded;
        return loaded;
    }

    // Words that say nothing about a topic; without them the full-text ranking is not swayed by "how do I".
    private static readonly HashSet<string> StopWords =
    [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "could", "do", "does", "for", "from", "get", "had", "has", "have",
        "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "should", "so", "than", "that", "the", "their",
        "them", "then", "there", "these", "this", "to", "use", "using", "was", "we", "what", "when", "where", "which", "while", "who", "why",
        "will", "with", "would", "you", "your", "way", "want", "need", "make", "work", "works", "like", "just", "about", "some", "any",
    ];

    /// <summary>The question's content words for the full-text ranking (at most 24).</summary>
    internal static List<string> Words(string question) =>
        WordPattern().Matches(question.ToLowerInvariant()).Select(m => m.Value)
            .Where(w => w.Length >= 2 && !StopWords.Contains(w)).Distinct().Take(24).ToList();

    [GeneratedRegex(@"[\p{L}\p{N}_]+")]
    private static partial Regex WordPattern();
}
