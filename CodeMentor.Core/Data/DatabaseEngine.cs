using CodeMentor.Core.Usage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;

namespace CodeMentor.Core.Data;

/// <summary>The database engines CodeMentor runs on: an embedded SQLite file (the default, for one
/// node) or PostgreSQL (for several nodes sharing one database).</summary>
public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Everything that differs between the two engines, in one place: how the context connects, what
/// runs around the migrations, the roll-up upsert, the one query that needs a planner hint, and
/// bulk loading. Chosen once at start (<see cref="FromConfiguration"/>); code that only has a
/// context asks <see cref="Of"/>. Everything else is the same EF Core model and LINQ on both.
/// </summary>
public abstract class DatabaseEngine
{
    /// <summary>Configuration key of the engine; its environment name is CODEMENTOR_DB_PROVIDER.</summary>
    public const string ProviderKey = "Database:Provider";

    public const string ConnectionStringName = "CodeMentor";

    private protected DatabaseEngine(string connectionString) => ConnectionString = connectionString;

    public abstract DatabaseProvider Provider { get; }

    /// <summary>The connection string in use (contains the password on PostgreSQL: never log it).</summary>
    public string ConnectionString { get; }

    /// <summary>A short description for logs and health output, without credentials.</summary>
    public abstract string Describe();

    /// <summary>Parses <c>Database:Provider</c> ("sqlite", the default, or "postgres"), or null when it is neither.</summary>
    public static DatabaseProvider? ParseProvider(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "sqlite" => DatabaseProvider.Sqlite,
        "postgres" or "postgresql" or "npgsql" => DatabaseProvider.Postgres,
        _ => null,
    };

    /// <exception cref="InvalidOperationException">The provider or its connection string is unusable;
    /// the message says which setting to fix (startup checks these first, see SettingsCatalog).</exception>
    public static DatabaseEngine FromConfiguration(IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        return ParseProvider(configuration[ProviderKey]) switch
        {
            DatabaseProvider.Sqlite => new SqliteEngine(string.IsNullOrWhiteSpace(connectionString) ? SqliteEngine.DefaultConnectionString : connectionString),
            DatabaseProvider.Postgres => string.IsNullOrWhiteSpace(connectionString)
                ? throw new InvalidOperationException(PostgresEngine.MissingConnectionString)
                : new PostgresEngine(connectionString),
            _ => throw new InvalidOperationException($"CODEMENTOR_DB_PROVIDER must be 'sqlite' or 'postgres'; it is '{configuration[ProviderKey]}'."),
        };
    }

    /// <summary>The engine a context runs on. Kept with the context: contexts come from a pool, and a turn asks
    /// several times (reading the engine and connection string each time allocated on every statement).</summary>
    internal static DatabaseEngine Of(AppDbContext context) =>
        Engines.GetValue(context, static c => c.Database.IsNpgsql()
            ? new PostgresEngine(c.Database.GetConnectionString() ?? "")
            : new SqliteEngine(c.Database.GetConnectionString() ?? ""));

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<AppDbContext, DatabaseEngine> Engines = new();

    /// <summary>True when <paramref name="ex"/> (or what it wraps) says the database could not be reached or
    /// went away (refused or dropped connections, a server shutting down or starting), as opposed to a bug
    /// or a refused statement: callers answer "try again shortly" (503) instead of an error.</summary>
    public static bool IsOutage(Exception ex)
    {
        for (var e = (Exception?)ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case Npgsql.PostgresException pg:
                    // Class 08: connection exceptions; 57P01–57P03: shutting down, crashed, starting up.
                    return pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState is "57P01" or "57P02" or "57P03";
                case Npgsql.NpgsqlException { IsTransient: true }:
                case System.Net.Sockets.SocketException:
                    return true;
            }
        }
        return false;
    }

    internal abstract void Configure(DbContextOptionsBuilder options);

    /// <summary>Runs before the migrations (e.g. SQLite's data folder must exist).</summary>
    internal virtual Task BeforeMigrateAsync(AppDbContext context, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Runs after the migrations (e.g. SQLite's WAL mode).</summary>
    internal virtual Task AfterMigrateAsync(AppDbContext context, CancellationToken ct) => Task.CompletedTask;

    /// <summary>The SQL function giving the larger of two values (SQLite's two-argument <c>max</c>).</summary>
    private protected abstract string Greatest { get; }

    /// <summary>Adds one day's totals to their roll-up row (<c>LedgerDaily</c> per user, <c>LedgerDayTotals</c>
    /// over all users), creating it if new. The SQL is the same on both engines but for <see cref="Greatest"/>:
    /// quoted names and a table-qualified existing row read the same in SQLite and PostgreSQL.</summary>
    internal Task UpsertTotalsAsync(AppDbContext context, LedgerTotals t, CancellationToken ct)
    {
        object[] afterDayAndUser =
        [
            t.Feature, t.Provider, t.Model, t.Outcome, t.FailureCategory, t.Requests, t.InputTokens, t.OutputTokens,
            t.ReasoningTokens, t.CachedInputTokens, t.CostPico, t.UnpricedRequests, t.SavedCostPico, t.LatencySumMs,
            DateTime.SpecifyKind(t.LastAtUtc, DateTimeKind.Utc),
        ];
        return t is LedgerDaily daily
            ? UpsertDaily.For(context).ExecuteAsync(context, [t.Day, daily.UserId, .. afterDayAndUser], ct)
            : UpsertDayTotals.For(context).ExecuteAsync(context, [t.Day, .. afterDayAndUser], ct);
    }

    // A roll-up row's key after its day (and user), its sums, and the time of its latest call.
    private static readonly string[] TotalsKey = ["Feature", "Provider", "Model", "Outcome", "FailureCategory"];
    private static readonly string[] TotalsSums =
        ["Requests", "InputTokens", "OutputTokens", "ReasoningTokens", "CachedInputTokens", "CostPico", "UnpricedRequests", "SavedCostPico", "LatencySumMs"];

    private static readonly PerModel<PreparedStatement> UpsertDaily = new(context =>
        Of(context).AdditiveUpsert<LedgerDaily>(context, ["Day", "UserId", .. TotalsKey], TotalsSums, latest: "LastAtUtc"));

    private static readonly PerModel<PreparedStatement> UpsertDayTotals = new(context =>
        Of(context).AdditiveUpsert<LedgerDayTotal>(context, ["Day", .. TotalsKey], TotalsSums, latest: "LastAtUtc"));

    private static readonly PerModel<PreparedStatement> UpsertLatency = new(context =>
        Of(context).AdditiveUpsert<LatencyDaily>(context, ["Day", "Metric", "Bucket"], ["Count"]));

    /// <summary>The INSERT of a row that, when a row with its key is already stored, adds its sums to that row's (and
    /// keeps the later of the two <paramref name="latest"/> values). Values: the key's, the sums', then the latest.
    /// Names are properties; the table and columns come from the model.</summary>
    private PreparedStatement AdditiveUpsert<TEntity>(AppDbContext context, string[] key, string[] sums, string? latest = null)
    {
        string[] names = latest is null ? [.. key, .. sums] : [.. key, .. sums, latest];
        var (table, properties) = PreparedStatement.Resolve<TEntity>(context, names);
        return PreparedStatement.Build(context, [.. properties.Select(p => p.GetRelationalTypeMapping())], (quote, values) =>
        {
            var tableName = quote(table.Name);
            var columns = properties.Select(p => quote(p.GetColumnName(table)!)).ToArray();
            var updates = columns.Skip(key.Length).Select((c, i) => i < sums.Length
                ? $"{c} = {tableName}.{c} + excluded.{c}"
                : $"{c} = {Greatest}({tableName}.{c}, excluded.{c})");
            return $"INSERT INTO {tableName} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", values)}) " +
                $"ON CONFLICT ({string.Join(", ", columns.Take(key.Length))}) DO UPDATE SET {string.Join(", ", updates)}";
        });
    }

    /// <summary>Whether each statement costs a network round trip (PostgreSQL) or none (SQLite, in process).</summary>
    private protected abstract bool StatementsCostARoundTrip { get; }

    /// <summary>Whether writing this many rows is better done in one statement or batch than by a prepared statement
    /// per row: only when there are several and each statement would cost a round trip.</summary>
    internal bool BatchesBetter(int rows) => rows > 1 && StatementsCostARoundTrip;

    /// <summary>Inserts new rows in the context's transaction (a generated key is set into each): one prepared
    /// statement per row (<see cref="EntityInsert{TEntity}"/>), or, where statements cost a round trip, several rows
    /// in one batch by SaveChanges.</summary>
    internal async Task InsertAsync<TEntity>(AppDbContext context, IReadOnlyCollection<TEntity> rows, CancellationToken ct) where TEntity : class
    {
        if (BatchesBetter(rows.Count))
        {
            context.Set<TEntity>().AddRange(rows);
            await context.SaveChangesAsync(ct);
            return;
        }
        foreach (var row in rows)
        {
            await EntityInsert<TEntity>.InsertAsync(context, row, ct);
        }
    }

    /// <summary>Adds a count to one latency bucket of <c>LatencyDaily</c>.</summary>
    internal Task UpsertLatencyAsync(AppDbContext context, DateOnly day, int metric, int bucket, long count, CancellationToken ct) =>
        UpsertLatency.For(context).ExecuteAsync(context, [day, metric, bucket, count], ct);


    /// <summary>The ledger, read so that one user's rows sorted by cost walk the (user, cost) index.</summary>
    internal virtual IQueryable<LedgerEntry> LedgerForCostSort(AppDbContext context) => context.Ledger;

    /// <summary>Most expensive first, unpriced calls (no cost) last, newest first among equals.</summary>
    internal abstract IOrderedQueryable<LedgerEntry> OrderByCostDescending(IQueryable<LedgerEntry> rows);

    /// <summary>Ids of the course's passages containing any of <paramref name="words"/> (stemmed, English),
    /// best full-text rank first: SQLite's FTS5 (BM25) or PostgreSQL's text search (ts_rank weighted by BM25's inverse document frequency).</summary>
    internal abstract Task<List<long>> SearchPassagesAsync(AppDbContext context, Guid courseId, int materialVersion, IReadOnlyList<string> words, int limit, CancellationToken ct);

    /// <summary>Starts a bulk load of ledger rows in the context's open connection and current transaction.</summary>
    internal abstract Task<ILedgerBulkLoad> BeginLedgerLoadAsync(AppDbContext context, CancellationToken ct);
}

/// <summary>Ledger rows written in bulk (the usage seeder), stored exactly as EF would store them.</summary>
internal interface ILedgerBulkLoad : IAsyncDisposable
{
    Task AddAsync(LedgerEntry row, CancellationToken ct);

    /// <summary>Sends what is buffered; the rows are in the database (in the caller's transaction) afterwards.</summary>
    Task CompleteAsync(CancellationToken ct);
}
