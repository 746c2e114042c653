using CodeMentor.Testing;
using Npgsql;

namespace CodeMentor.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL server for the test run: Debian's <c>postgresql</c> binaries (scripts/test.sh
/// installs them), a cluster in a temporary folder on a free loopback port, started on first use and
/// stopped when the test process ends. Each test host gets a database of its own.
/// No Docker here, and no fallback: without PostgreSQL the PostgreSQL tests fail and say why.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private static readonly Lazy<Task<PostgresServer>> Instance = new(StartAsync);

    private readonly string _folder;
    private readonly string _bin;
    private readonly bool _asPostgresUser;

    private PostgresServer(string folder, string bin, bool asPostgresUser, int port)
    {
        _folder = folder;
        _bin = bin;
        _asPostgresUser = asPostgresUser;
        Port = port;
    }

    public int Port { get; }

    public static Task<PostgresServer> SharedAsync() => Instance.Value;

    /// <summary>A server of the caller's own, for a test that stops and restarts it; disposing removes it.</summary>
    public static Task<PostgresServer> StartOwnAsync() => StartAsync();

    private string Data => Path.Combine(_folder, "data");

    /// <summary>Stops the server as an outage does for its clients (every connection cut, new ones refused);
    /// <see cref="StartAgainAsync"/> brings it back on the same port. A fast, not an immediate, stop: with
    /// this test server's durability settings off, a crash would lose the last commits.</summary>
    public Task StopAsync() => RunAsync("pg_ctl", $"-D {Data} -m fast -w stop");

    public Task StartAgainAsync() => StartServerAsync();

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    /// <summary>The server's administrative connection string for <paramref name="database"/>.</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Include Error Detail=true";

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync($"CREATE DATABASE \"{name}\"");
        return ConnectionString(name);
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing its connections.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL is not installed: the PostgreSQL tests need Debian's postgresql package (scripts/test.sh installs it; or apt-get install postgresql).");
        // PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user.
        var asPostgresUser = Environment.UserName == "root";
        var folder = Path.Combine(Path.GetTempPath(), "codementor-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        if (asPostgresUser)
        {
            await MustAsync("chown", $"postgres:postgres {folder}");
        }
        var port = LocalPort.Free();
        var server = new PostgresServer(folder, bin, asPostgresUser, port);
        await server.RunAsync("initdb", $"-D {server.Data} -U postgres --auth=trust --encoding=UTF8 --no-locale --no-sync");
        await server.StartServerAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        return server;
    }

    private Task StartServerAsync()
    {
        // Durability settings off: a test database is thrown away, and fsync per commit is slow here.
        var options = $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300";
        return RunAsync("pg_ctl", $"-D {Data} -l {Path.Combine(_folder, "server.log")} -w -t 60 -o \"{options}\" start");
    }

    private void Stop()
    {
        try
        {
            if (File.Exists(Path.Combine(Data, "postmaster.pid")))
            {
                RunAsync("pg_ctl", $"-D {Data} -m immediate stop").Wait(TimeSpan.FromSeconds(20));
            }
            Directory.Delete(_folder, recursive: true);
        }
        catch (Exception)
        {
            // The process is ending; a leftover temporary folder is all that can remain.
        }
    }

    private async Task RunAsync(string tool, string arguments)
    {
        var path = Path.Combine(_bin, tool);
        if (_asPostgresUser)
        {
            await MustAsync("runuser", $"-u postgres -- {path} {arguments}");
        }
        else
        {
            await MustAsync(path, arguments);
        }
    }

    private static async Task MustAsync(string file, string arguments)
    {
        var (exit, output, error) = await ExternalProcess.RunAsync(file, arguments, Path.GetTempPath());
        if (exit != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed ({exit}): {error} {output}");
        }
    }

    /// <summary>The newest installed PostgreSQL's bin folder (Debian puts each major version apart).</summary>
    private static string? FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }
        return Directory.GetDirectories(root)
            .Select(d => (Folder: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
            .Where(d => File.Exists(Path.Combine(d.Folder, "initdb")))
            .OrderByDescending(d => d.Version).Select(d => d.Folder).FirstOrDefault();
    }

}
