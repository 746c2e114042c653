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
    // took 40 ms at 10,000 passages, so they are counted once per course and material version (200 ms there).
    internal override async Task<List<long>> SearchPassagesAsync(AppDbContext context, Guid courseId, int materialVersion, IReadOnlyList<string> words, int limit, CancellationToken ct)
    {
        var terms = words.Select(w => new string(w.Where(char.IsLetterOrDigit).ToArray())).Where(w => w.Length > 0).Distinct().ToArray();
        if (terms.Length == 0)
        {
            return [];
        }
        var frequencies = await TermFrequenciesAsync(context, courseId, materialVersion, ct);
        // Each word as the English configuration reads it: one lexeme, none (a stop word), or a phrase of several
        // ("utf8": 'utf' <-> '8'), whose frequency the per-lexeme counts cannot give, so it is counted here (rare).
        var stemmed = await context.Database.SqlQuery<WordQuery>($"""
            SELECT to_tsquery('english', w)::text AS "Query", numnode(to_tsquery('english', w)) AS "Nodes" FROM unnest({terms}) AS w
            """).ToListAsync(ct);
        var queries = new List<string>();
        var weights = new List<double>();
        foreach (var word in stemmed.Where(w => w.Nodes > 0))
        {
            var holding = word.Nodes == 1
                ? frequencies.Passages.GetValueOrDefault(word.Query.Trim('\''))
                : await context.Database.SqlQuery<int>($"""
                    SELECT count(*)::int AS "Value" FROM "CoursePassages" WHERE "CourseId" = {courseId} AND "SearchVector" @@ {word.Query}::tsquery
                    """).SingleAsync(ct);
            queries.Add(word.Query);
            weights.Add(Idf(frequencies.Total, holding));
        }
        if (queries.Count == 0)
        {
            return [];
        }
        var query = string.Join(" | ", terms);
        return await context.Database.SqlQuery<long>($"""
            WITH term AS MATERIALIZED (SELECT q::tsquery AS tq, idf FROM unnest({queries.ToArray()}, {weights.ToArray()}) AS t(q, idf))
            SELECT p."Id" AS "Value" FROM "CoursePassages" p
            WHERE p."CourseId" = {courseId} AND p."SearchVector" @@ to_tsquery('english', {query})
            ORDER BY (SELECT sum(ts_rank(p."SearchVector", term.tq, 1) * term.idf) FROM term) DESC, p."Id"
            LIMIT {limit}
            """).ToListAsync(ct);
    }

    /// <summary>BM25's inverse document frequency of a word held by <paramref name="holding"/> of <paramref name="total"/> passages.</summary>
    private static double Idf(int total, int holding) => Math.Log(1 + (total - holding + 0.5) / (holding + 0.5));

    private sealed record CourseTerms(int Version, int Total, Dictionary<string, int> Passages);

    private sealed record TermCount(string Lexeme, int Passages);

    private sealed record WordQuery(string Query, int Nodes);

    private readonly ConcurrentDictionary<Guid, CourseTerms> _terms = new();

    private async Task<CourseTerms> TermFrequenciesAsync(AppDbContext context, Guid courseId, int materialVersion, CancellationToken ct)
    {
        if (_terms.TryGetValue(courseId, out var held) && held.Version == materialVersion)
        {
            return held;
        }
        var counts = await context.Database.SqlQuery<TermCount>($"""
            SELECT l AS "Lexeme", count(*)::int AS "Passages"
            FROM "CoursePassages" p, unnest(tsvector_to_array(p."SearchVector")) AS l
            WHERE p."CourseId" = {courseId} GROUP BY l
            """).ToListAsync(ct);
        var total = await context.CoursePassages.CountAsync(p => p.CourseId == courseId, ct);
        var loaded = new CourseTerms(materialVersion, total, counts.ToDictionary(c => c.Lexeme, c => c.Passages, StringComparer.Ordinal));
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
