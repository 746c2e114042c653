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
    internal override Task<List<long>> SearchPassagesAsync(AppDbContext context, Guid courseId, IReadOnlyList<string> words, int limit, CancellationToken ct)
    {
        var query = string.Join(" | ", words.Select(w => new string(w.Where(char.IsLetterOrDigit).ToArray())).Where(w => w.Length > 0).Distinct());
        if (query.Length == 0)
        {
            return Task.FromResult(new List<long>());
        }
        return context.Database.SqlQuery<long>($"""
            SELECT "Id" AS "Value" FROM "CoursePassages"
            WHERE "CourseId" = {courseId} AND "SearchVector" @@ to_tsquery('english', {query})
            ORDER BY ts_rank("SearchVector", to_tsquery('english', {query}), 1) DESC LIMIT {limit}
            """).ToListAsync(ct);
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
