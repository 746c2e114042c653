using CodeMentor.Core.Data;
using CodeMentor.Core.SharedState;

namespace CodeMentor.Tests.Support;

/// <summary>Two CodeMentor nodes as a deployment runs them: each the real app on its own loopback
/// port (with its own fake Groq server), sharing one PostgreSQL database (on the run's throwaway
/// server) and one throwaway Redis of their own.</summary>
public sealed class TwoNodes : IAsyncDisposable
{
    private readonly string _database;

    private TwoNodes(string database, RedisServer redis, KestrelPortal a, KestrelPortal b)
    {
        _database = database;
        Redis = redis;
        A = a;
        B = b;
    }

    public KestrelPortal A { get; }
    public KestrelPortal B { get; }
    public RedisServer Redis { get; }

    public static async Task<TwoNodes> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var redis = await RedisServer.StartAsync();
        var shared = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            [DatabaseEngine.ProviderKey] = "postgres",
            ["ConnectionStrings:CodeMentor"] = database,
            [RedisSettings.ConfigurationKey] = redis.Url,
        };
        // One after the other: both apply migrations at start, and the second finds them applied.
        var a = await KestrelPortal.StartAsync(shared);
        var b = await KestrelPortal.StartAsync(shared);
        return new TwoNodes(database, redis, a, b);
    }

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        await Redis.DisposeAsync();
        await (await PostgresServer.SharedAsync()).DropDatabaseAsync(_database);
    }
}
