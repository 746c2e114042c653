using CodeMentor.Core.Usage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CodeMentor.Core.Data;

/// <summary>The embedded default: one SQLite file, written by the one <see cref="DatabaseWriter"/>.</summary>
internal sealed class SqliteEngine(string connectionString) : DatabaseEngine(connectionString)
{
    /// <summary>Default database: a SQLite file under the app's data folder.</summary>
    public const string DefaultConnectionString = "Data Source=App_Data/codementor.db";

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public override string Describe() => $"SQLite file {new SqliteConnectionStringBuilder(ConnectionString).DataSource}";

    internal override void Configure(DbContextOptionsBuilder options) =>
        options.UseSqlite(ConnectionString).AddInterceptors(new SqlitePragmas());

    internal override Task BeforeMigrateAsync(AppDbContext context, CancellationToken ct)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(new SqliteConnectionStringBuilder(ConnectionString).DataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        return Task.CompletedTask;
    }

    // WAL: readers never wait for the writer. Set once, it persists in the file.
    internal override Task AfterMigrateAsync(AppDbContext context, CancellationToken ct) =>
        context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);

    private protected override string Greatest => "max";

    private protected override bool StatementsCostARoundTrip => false;

    // SQLite's planner prefers the (user, time) index and then sorts all of a user's rows; for a
    // user's most expensive calls, walking the (user, cost) index in order is far faster.
    internal override IQueryable<LedgerEntry> LedgerForCostSort(AppDbContext context) =>
        context.Ledger.FromSqlRaw("SELECT * FROM \"Ledger\" INDEXED BY \"IX_Ledger_UserId_CostPico\"");

    // SQLite sorts NULL below every number, so descending puts unpriced calls last by itself (and the
    // order matches the (user, cost) index walked above).
    internal override IOrderedQueryable<LedgerEntry> OrderByCostDescending(IQueryable<LedgerEntry> rows) =>
        rows.OrderByDescending(e => e.CostPico).ThenByDescending(e => e.Id);

    internal override async Task<ILedgerBulkLoad> BeginLedgerLoadAsync(AppDbContext context, CancellationToken ct)
    {
        // A big page cache for this connection only: the ledger's indexes take rows in random order,
        // and with SQLite's default 2 MB cache a million rows spill pages to the WAL over and over.
        await context.Database.ExecuteSqlRawAsync("PRAGMA cache_size = -524288", ct);
        return await LedgerInsert.PrepareAsync(context, ct);
    }

    // The FTS5 table "CoursePassageSearch" mirrors the passages' section and text (external content,
    // kept by triggers; migration CourseMaterial). Each word is a quoted FTS5 string, so nothing a learner
    // types is read as query syntax.
    internal override Task<List<long>> SearchPassagesAsync(AppDbContext context, Guid courseId, int materialVersion, IReadOnlyList<string> words, int limit, CancellationToken ct)
    {
        var match = string.Join(" OR ", words.Select(w => "\"" + w.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));
        return context.Database.SqlQuery<long>($"""
            SELECT p."Id" AS "Value" FROM "CoursePassageSearch" s JOIN "CoursePassages" p ON p."Id" = s.rowid
            WHERE "CoursePassageSearch" MATCH {match} AND p."CourseId" = {courseId}
            ORDER BY s.rank LIMIT {limit}
            """).ToListAsync(ct);
    }
}
