using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CodeMentor.Testing;

namespace CodeMentor.Tests.Support;

/// <summary>
/// A throwaway Redis (Debian's <c>redis-server</c>; scripts/test.sh installs it) on a free loopback
/// port, without persistence, owned by the test that starts it: each multi-node test gets its own,
/// so cached replies and counters never leak between tests. Stop and start again on the same port
/// to play an outage. No fallback: without redis-server the test fails and says why.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private Process? _process;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    /// <summary>What REDIS_URL would be.</summary>
    public string Url => $"redis://127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(LocalPort.Free());
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again) on its port, empty.</summary>
    public async Task StartAgainAsync()
    {
        const string binary = "/usr/bin/redis-server";
        if (!File.Exists(binary))
        {
            throw new InvalidOperationException(
                "redis-server is not installed: the multi-node tests need Debian's redis-server package (scripts/test.sh installs it; or apt-get install redis-server).");
        }
        _process = Process.Start(new ProcessStartInfo(binary,
            $"--port {Port} --bind 127.0.0.1 --save \"\" --appendonly no --protected-mode no --dir {Path.GetTempPath()}")
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
        await Eventually.TrueAsync(() => Task.FromResult(Answers()), TimeSpan.FromSeconds(20), "redis-server to answer");
    }

    /// <summary>Kills the server, as an outage would.</summary>
    public void Stop()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit(10_000);
        }
    }

    private bool Answers()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            using var stream = client.GetStream();
            stream.Write("PING\r\n"u8);
            var buffer = new byte[16];
            return stream.Read(buffer) > 0 && buffer[0] == (byte)'+';
        }
        catch (SocketException)
        {
            return false;
        }
    }


    public ValueTask DisposeAsync()
    {
        Stop();
        _process?.Dispose();
        return ValueTask.CompletedTask;
    }
}
