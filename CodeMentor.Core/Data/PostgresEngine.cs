using System.Collections.Concurrent;
using CodeMentor.Core.Usage;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CodeMentor.Core.Data;

/// <summary>PostgreSQL (Npgsql), for several CodeMentor nodes sharing one database.</summary>
internal sealed class PostgresEngine(string connectionString) : DatabaseEngine(connectionString)
{
    /// <summary>EF Core keeps one migrations history per assembly: PostgreSQL's live in their own.</summary>
    public const string MigrationsAssembly = "CodeMentor.Migrations.Postgres";

    public const string MissingConnectionString =
        "CODEMENTOR_DB_PROVIDER is 'postgres' but no connection string is set: set CODEMENTOR_DB_CONNECTION " +
        "(or ConnectionStrings__CodeMentor), e.g. 'Host=db.example;Database=codementor;Username=codementor;Password=…'.";

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public override string Describe()
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"PostgreSQL database '{builder.Database}' on {builder.Host}:{builder.Port}";
    }

    internal override void Configure(DbContextOptionsBuilder options) =>
        options.UseNpgsql(ConnectionString, npgsql => npgsql.MigrationsAssembly(MigrationsAssembly));

    private protected override string Greatest => "greatest";

    private protected override bool StatementsCostARoundTrip => true;

    // PostgreSQL sorts NULL above every number, so descending would list unpriced calls first; costs are
    // never negative, so -1 puts them last. The expression is the one the index
    // IX_Ledger_UserId_CostSort (migration CostSortIndex) is built on: a user's most expensive calls are
    // read from it in order (0.5 ms at 1M rows, against 228 ms sorting the user's rows).
    internal override IOrderedQueryable<LedgerEntry> OrderByCostDescending(IQueryable<LedgerEntry> rows) =>
        rows.OrderByDescending(e => e.CostPico ?? -1).ThenByDescending(e => e.Id);

    internal override async Task<ILedgerBulkLoad> BeginLedgerLoadAsync(AppDbContext context, CancellationToken ct) =>
        await LedgerCopy.BeginAsync(context, ct);

    // "SearchVector" is a stored generated tsvector (English) over section and text with a GIN index
    // (migration CourseMaterial); it is not in the EF model. Words are reduced to letters and digits, so
    // none is read as tsquery syntax, and OR-ed: a passage need not contain every word of a question.
    // ts_rank weighs every word alike, so a passage full of a word most passages hold ("python") outranked one
    // holding the question's rare word; each word's rank is therefore weighted by its inverse document frequency
    // in the course, as BM25 (SQLite's FTS5 ranking) weighs it. Chosen on a held-out question set by a rule fixed
    // before it was run (docs/tutoring-quality.md, "A second held-out set"). Counting the frequencies per question
    // took 40 ms at 10,000 passages, so they are counted once per course and material version (with each word's highest
    // rank, 190-220 ms at 10,044 passages).
    internal override Task<List<long>> SearchPassagesAsync(AppDbContext context, Guid courseId, int materialVersion, IReadOnlyList<string> words, int limit, CancellationToken ct) =>
        SearchPassagesAsync(context, courseId, materialVersion, words, limit, rarerWordsFirst: true, ct);

    /// <param name="rarerWordsFirst">False ranks every passage matching any word (what the shortcut must equal; for tests).</param>
    internal async Task<List<long>> SearchPassagesAsync(AppDbContext context, Guid courseId, int materialVersion, IReadOnlyList<string> words, int limit, bool rarerWordsFirst, CancellationToken ct)
    {
        var terms = words.Select(w => new string(w.Where(char.IsLetterOrDigit).ToArray())).Where(w => w.Length > 0).Distinct().ToArray();
        if (terms.Length == 0)
        {
            return [];
        }
        var course = await TermsAsync(context, courseId, materialVersion, ct);
        // Each word as the English configuration reads it: one lexeme, none (a stop word), or a phrase of several
        // ("utf8": 'utf' <-> '8'), whose frequency the per-lexeme counts cannot give, so it is counted here (rare).
        var stemmed = await context.Database.SqlQuery<WordQuery>($"""
            SELECT to_tsquery('english', w)::text AS "Query", numnode(to_tsquery('english', w)) AS "Nodes" FROM unnest({terms}) AS w
            """).ToListAsync(ct);
        var ranked = new List<RankedWord>();
        foreach (var word in stemmed.Where(w => w.Nodes > 0))
        {
            if (word.Nodes == 1)
            {
                var stats = course.Terms.GetValueOrDefault(word.Query.Trim('\''));
                var idf = Idf(course.Total, stats.Passages);
                ranked.Add(new(word.Query, idf, stats.Passages, idf * stats.MaxRank));
            }
            else
            {
                var holding = await context.Database.SqlQuery<int>($"""
                    SELECT count(*)::int AS "Value" FROM "CoursePassages" WHERE "CourseId" = {courseId} AND "SearchVector" @@ {word.Query}::tsquery
                    """).SingleAsync(ct);
                ranked.Add(new(word.Query, Idf(course.Total, holding), holding, null));
            }
        }
        if (ranked.Count == 0)
        {
            return [];
        }
        // The passages holding only common words are most of the matches, and ranking them most of the time (3,633
        // of 10,036 passages for "list stack python"). So, as MaxScore search engines do, the passages holding a rarer
        // word are ranked first, by every word. A passage holding none of the words ranked can score at most the sum of
        // the others' bounds (each word's weight times its highest rank in the course): if the top's last beats that,
        // the top is exact. If not, its last score still bounds the final top's from below, so the commonest words whose
        // bounds sum to less than it can be left out of the match, and a second ranking of the rest is exact.
        if (!rarerWordsFirst)
        {
            return (await RankAsync(context, courseId, ranked, ranked, limit, ct)).ConvertAll(r => r.Id);
        }
        // Commonest (least able to lift a passage) first; a phrase, whose bound is not known, is never left out.
        var byBound = ranked.OrderBy(w => w.Bound ?? double.PositiveInfinity).ThenBy(w => w.Query, StringComparer.Ordinal).ToList();
        var rare = byBound.Count(w => w.Bound is null || w.Holding <= course.Total * CommonShare);
        var first = byBound[^Math.Max(1, rare)..];
        var top = await RankAsync(context, courseId, ranked, first, limit, ct);
        if (first.Count == byBound.Count)
        {
            return top.ConvertAll(r => r.Id);
        }
        var floor = top.Count == limit ? top[^1].Score : 0;
        var leftOut = 0;
        for (var most = 0.0; leftOut < byBound.Count - first.Count && Beats(floor, most + byBound[leftOut].Bound!.Value); leftOut++)
        {
            most += byBound[leftOut].Bound!.Value;
        }
        if (leftOut == byBound.Count - first.Count)
        {
            Interlocked.Increment(ref _prunedSearches);
            return top.ConvertAll(r => r.Id);
        }
        if (leftOut > 0)
        {
            Interlocked.Increment(ref _narrowedSearches);
        }
        return (await RankAsync(context, courseId, ranked, byBound[leftOut..], limit, ct)).ConvertAll(r => r.Id);
    }

    /// <summary>Whether a score is above a bound by more than the rounding of the sums that made them.</summary>
    private static bool Beats(double score, double bound) => score > bound + 1e-9 * (1 + bound);

    /// <summary>Words held by at most this share of a course's passages are rare: the first ranking matches as many words
    /// (those of highest bound) as the question has rare ones, at least one.</summary>
    private const double CommonShare = 0.05;

    private long _prunedSearches;

    private long _narrowedSearches;

    /// <summary>Searches answered by the first ranking alone (for tests).</summary>
    internal long PrunedSearches => Interlocked.Read(ref _prunedSearches);

    /// <summary>Searches whose second ranking left the commonest words out (for tests).</summary>
    internal long NarrowedSearches => Interlocked.Read(ref _narrowedSearches);

    /// <summary>The passages holding any of <paramref name="matching"/>, best first by the weighted rank of all
    /// <paramref name="words"/>, then by id.</summary>
    private static async Task<List<RankedPassage>> RankAsync(AppDbContext context, Guid courseId, IReadOnlyList<RankedWord> words, IEnumerable<RankedWord> matching, int limit, CancellationToken ct)
    {
        var match = string.Join(" | ", matching.Select(w => $"({w.Query})"));
        return await context.Database.SqlQuery<RankedPassage>($"""
            WITH term AS MATERIALIZED (SELECT q::tsquery AS tq, idf FROM unnest({words.Select(w => w.Query).ToArray()}, {words.Select(w => w.Idf).ToArray()}) AS t(q, idf))
            SELECT p."Id", (SELECT sum(ts_rank(p."SearchVector", term.tq, 1) * term.idf) FROM term) AS "Score"
            FROM "CoursePassages" p
            WHERE p."CourseId" = {courseId} AND p."SearchVector" @@ {match}::tsquery
            ORDER BY 2 DESC, p."Id"
            LIMIT {limit}
            """).ToListAsync(ct);
    }

    /// <summary>BM25's inverse document frequency of a word held by <paramref name="holding"/> of <paramref name="total"/> passages.</summary>
    private static double Idf(int total, int holding) => Math.Log(1 + (total - holding + 0.5) / (holding + 0.5));

    /// <summary>A question's word as ranked: its tsquery, its weight, how many passages hold it, and the most its
    /// weighted rank can add to a passage's score (not known for a phrase).</summary>
    private sealed record RankedWord(string Query, double Idf, int Holding, double? Bound);

    private sealed record RankedPassage(long Id, double Score);

    private readonly record struct TermStats(int Passages, double MaxRank);

    private sealed record CourseTerms(int Version, int Total, Dictionary<string, TermStats> Terms);

    private sealed record TermCount(string Lexeme, int Passages, double MaxRank);

    private sealed record WordQuery(string Query, int Nodes);

    private readonly ConcurrentDictionary<Guid, CourseTerms> _terms = new();

    /// <summary>Per lexeme of the course: how many passages hold it, and its highest rank in any of them (the lexeme
    /// quoted as tsquery input reads it: a backslash and a quote escaped).</summary>
    private async Task<CourseTerms> TermsAsync(AppDbContext context, Guid courseId, int materialVersion, CancellationToken ct)
    {
        if (_terms.TryGetValue(courseId, out var held) && held.Version == materialVersion)
        {
            return held;
        }
        var counts = await context.Database.SqlQuery<TermCount>($"""
            SELECT l AS "Lexeme", count(*)::int AS "Passages",
                   max(ts_rank(p."SearchVector", ('''' || replace(replace(l, '\', '\\'), '''', '''''') || '''')::tsquery, 1))::float8 AS "MaxRank"
            FROM "CoursePassages" p, unnest(tsvector_to_array(p."SearchVector")) AS l
            WHERE p."CourseId" = {courseId} GROUP BY l
            """).ToListAsync(ct);
        var total = await context.CoursePassages.CountAsync(p => p.CourseId == courseId, ct);
        var loaded = new CourseTerms(materialVersion, total, counts.ToDictionary(c => c.Lexeme, c => new TermStats(c.Passages, c.MaxRank), StringComparer.Ordinal));
        _terms[courseId] = loaded;
        return loaded;
    }
}

/// <summary>Ledger rows streamed with PostgreSQL's binary COPY, the engine's bulk path (an INSERT per
/// row costs a round trip each).</summary>
internal sealed class LedgerCopy : ILedgerBulkLoad
{
    private readonly NpgsqlBinaryImporter _importer;
    private readonly IReadOnlyList<LedgerColumns.Column> _columns;

    private LedgerCopy(NpgsqlBinaryImporter importer, IReadOnlyList<LedgerColumns.Column> columns)
    {
        _importer = importer;
        _columns = columns;
    }

    public static async Task<LedgerCopy> BeginAsync(AppDbContext context, CancellationToken ct)
    {
        var ledger = LedgerColumns.Of(context);
        var connection = (NpgsqlConnection)context.Database.GetDbConnection();
        var importer = await connection.BeginBinaryImportAsync($"COPY \"{ledger.Table}\" ({ledger.QuotedNames}) FROM STDIN (FORMAT BINARY)", ct);
        return new LedgerCopy(importer, ledger.All);
    }

    public async Task AddAsync(LedgerEntry row, CancellationToken ct)
    {
        await _importer.StartRowAsync(ct);
        foreach (var column in _columns)
        {
            if (column.ValueOf(row) is { } value)
            {
                await _importer.WriteAsync(value, column.StoreType, ct);
            }
            else
            {
                await _importer.WriteNullAsync(ct);
            }
        }
    }

    public async Task CompleteAsync(CancellationToken ct) => await _importer.CompleteAsync(ct);

    public ValueTask DisposeAsync() => _importer.DisposeAsync();
}
