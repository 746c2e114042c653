using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CodeMentor.Core.Accounts;
using CodeMentor.Testing;
using CodeMentor.Web;
using CodeMentor.Web.Hubs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CodeMentor.Benchmarks;

/// <summary>
/// The streaming load benchmark of the issue "Stream at the speed of the hardware": SignalR hub
/// clients over WebSockets ask CodeMentor (the real app on a loopback port: pipeline, ledger,
/// SQLite, the one database writer) while a fake Groq server streams ~200-token replies as fast as
/// it can. The same fake is also read directly, in the same run, as the baseline: "added" figures
/// are CodeMentor's percentile minus the direct percentile at the same concurrency. The clients run in
/// a process of their own (<see cref="LoadClients"/>), so the allocation read here is the portal's
/// (minus the fake's, which the direct run measures).
/// </summary>
public static class LoadBenchmark
{
    private const string Reply =
        "A loop repeats a block of code while a condition holds. In Python, `for item in items:` visits each element once, " +
        "and `while total < limit:` keeps going until the condition is false. Use a for loop when you know what you iterate " +
        "over, and a while loop when you wait for something to change. Watch out for off-by-one errors: `range(n)` stops " +
        "before n. Inside the loop, `break` leaves it early and `continue` skips to the next round. A common pattern is to " +
        "accumulate: start `total = 0`, add each value, and return the total after the loop. Try writing a loop that sums " +
        "the even numbers of a list, then one that stops at the first negative number. What do you expect each to print?";

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 && int.TryParse(args[0], out var s) ? s : 10;
        var levels = args.Length > 1 ? args[1].Split(',').Select(int.Parse).ToArray() : [1, 100, 300, 1000];
        ThreadPool.SetMinThreads(200, 200);

        await using var groq = await FakeGroqServer.StartAsync();
        groq.Default = FakeGroqServer.Reply(GroqStream.Reply(Reply, pieceLength: 4, promptTokens: 120));
        var folder = Path.Combine(Path.GetTempPath(), "codementor-load-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var port = LocalPort.Free();
        await using var app = BuildApp(folder, groq.BaseUri, port);
        await app.StartAsync();
        var baseUri = new Uri($"http://127.0.0.1:{port}");
        if (Environment.GetEnvironmentVariable("CODEMENTOR_TURN_PROBE") is { } probe)
        {
            return await TurnProbe.RunAsync(app, int.Parse(probe));
        }
        var tokens = await TokensAsync(app, baseUri, users: 20);

        Console.WriteLine($"# Load benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        // CODEMENTOR_LOAD_WARM=0 measures each level at once, as before 2026-11-29 (the first seconds then include the
        // JIT compiling the turn's code: ~11% of the CPU for ~25 s at 300 streams).
        var warm = Environment.GetEnvironmentVariable("CODEMENTOR_LOAD_WARM") != "0";
        var warmUps = new List<string>();
        Console.WriteLine($"Reply: {GroqStream.Pieces(Reply, 4).Count()} chunks (~200 tokens); {seconds} s per sustained run" +
            (warm ? ", each side first run untimed at that level until the JIT settles" : "") + "; clients in a process of their own.");
        await using var clients = LoadClientProcess.Start(new LoadTarget(baseUri, groq.BaseUri, tokens));
        await clients.RunAsync(new LoadRun("direct", 4, 2, null)); // warm-up
        await clients.RunAsync(new LoadRun("hub", 4, 3, null));

        Console.WriteLine();
        Console.WriteLine("| Streams at once | Side | Turns | Streams/s | First token p50 / p95 / p99 (ms) | Last token p50 / p95 / p99 (ms) | Errors | Server allocated per turn | Client allocated per turn |");
        Console.WriteLine("|---:|---|---:|---:|---|---|---:|---:|---:|");
        var errors = new Dictionary<string, int>();
        foreach (var concurrency in levels)
        {
            // 1,000 streams at once: every client asks twice; the others run for the sustained time.
            int? turns = concurrency >= 1000 ? 2 : null;
            if (turns is null && warm)
            {
                warmUps.Add($"{concurrency:N0} streams: direct {await WarmAsync(clients, "direct", concurrency):0} s, hub {await WarmAsync(clients, "hub", concurrency):0} s");
            }
            var d = await Measure(() => clients.RunAsync(new LoadRun("direct", concurrency, seconds, turns)));
            var h = await Measure(() => clients.RunAsync(new LoadRun("hub", concurrency, seconds, turns)));
            Print(concurrency, "fake Groq, direct", d);
            Print(concurrency, "CodeMentor hub", h);
            Console.WriteLine($"| | **added by CodeMentor** | | **{h.Throughput / Math.Max(0.001, d.Throughput):0.00}× throughput** | " +
                $"**{Added(h, d, r => r.FirstTokenMs, 0.5)} / {Added(h, d, r => r.FirstTokenMs, 0.95)} / {Added(h, d, r => r.FirstTokenMs, 0.99)}** | " +
                $"**{Added(h, d, r => r.LastTokenMs, 0.5)} / {Added(h, d, r => r.LastTokenMs, 0.95)} / {Added(h, d, r => r.LastTokenMs, 0.99)}** | | " +
                $"**{(h.AllocatedPerTurn - d.AllocatedPerTurn) / 1024.0:0} KB** | |");
            foreach (var (what, count) in h.Run.Errors)
            {
                errors[what] = errors.GetValueOrDefault(what) + count;
            }
        }
        if (warmUps.Count > 0)
        {
            Console.WriteLine($"- run untimed first, until the JIT settled: {string.Join("; ", warmUps)}");
        }
        // What the errors were, so a non-zero Errors column explains itself.
        foreach (var (what, count) in errors.OrderByDescending(e => e.Value).Take(5))
        {
            Console.WriteLine($"- hub error ×{count:N0}: {what}");
        }
        await StopAsync(app, folder);
        return 0;
    }

    /// <summary>
    /// Runs one side at one level, untimed, in rounds of <see cref="WarmRound"/>, until a round compiles fewer than
    /// <see cref="SettledMethods"/> methods in this process (the portal and the fake) — or for at most a minute.
    /// What is measured then is the code a server runs after minutes of traffic, not tier-0 code and the JIT's own work.
    /// </summary>
    /// <returns>Seconds spent warming.</returns>
    private static async Task<double> WarmAsync(LoadClientProcess clients, string side, int concurrency)
    {
        var started = Stopwatch.GetTimestamp();
        var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromMinutes(1))
        {
            LoadClientProcess.Read(await clients.RunAsync(new LoadRun(side, concurrency, (int)WarmRound.TotalSeconds, null)));
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            var fresh = now - compiled;
            compiled = now;
            if (fresh < SettledMethods)
            {
                break;
            }
        }
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static readonly TimeSpan WarmRound = TimeSpan.FromSeconds(3);

    /// <summary>Fewer methods than this compiled in a round means the JIT has settled (a warm portal compiles a few a
    /// second; a warming one, hundreds).</summary>
    private const long SettledMethods = 30;

    /// <summary>Stops the portal and deletes its database folder.</summary>
    internal static async Task StopAsync(WebApplication app, string folder)
    {
        await app.StopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A run as the clients saw it, with what this process (the portal and the fake) allocated meanwhile.</summary>
    private sealed record Result(LoadRunResult Run, double AllocatedPerTurn)
    {
        public List<LoadTurn> Turns => Run.Turns;

        public double Throughput => Turns.Count(t => t.Ok) / Run.Seconds;

        public double ClientAllocatedPerTurn => (double)Run.ClientAllocated / Math.Max(1, Turns.Count);
    }

    private static async Task<Result> Measure(Func<Task<string>> run)
    {
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var path = await run();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        var result = LoadClientProcess.Read(path);
        return new Result(result, (double)allocated / Math.Max(1, result.Turns.Count));
    }

    private static void Print(int concurrency, string side, Result r)
    {
        var ok = r.Turns.Where(t => t.Ok).ToList();
        string P(Func<LoadTurn, double> f) => $"{Percentile(ok, f, 0.5):0.0} / {Percentile(ok, f, 0.95):0.0} / {Percentile(ok, f, 0.99):0.0}";
        Console.WriteLine($"| {concurrency:N0} | {side} | {r.Turns.Count:N0} | {r.Throughput:0} | {P(t => t.FirstTokenMs)} | {P(t => t.LastTokenMs)} | " +
            $"{r.Turns.Count(t => !t.Ok)} | {r.AllocatedPerTurn / 1024:0} KB | {r.ClientAllocatedPerTurn / 1024:0} KB |");
    }

    private static string Added(Result hub, Result direct, Func<LoadTurn, double> f, double p) =>
        $"{Percentile(hub.Turns.Where(t => t.Ok).ToList(), f, p) - Percentile(direct.Turns.Where(t => t.Ok).ToList(), f, p):0.0}";

    private static double Percentile(List<LoadTurn> turns, Func<LoadTurn, double> f, double p)
    {
        if (turns.Count == 0)
        {
            return double.NaN;
        }
        var sorted = turns.Select(f).Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    internal static WebApplication BuildApp(string folder, Uri groq, int port, IReadOnlyDictionary<string, string?>? settings = null)
    {
        // The portal as built (its own output folder holds its static assets manifest).
        var web = AppContext.BaseDirectory.Replace("CodeMentor.Benchmarks", "CodeMentor.Web");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Production", ContentRootPath = web, ApplicationName = "CodeMentor.Web",
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:CodeMentor"] = $"Data Source={Path.Combine(folder, "load.db")}",
            ["Llm:Groq:ApiKey"] = FakeGroqServer.Key,
            ["Llm:Groq:Endpoint"] = groq.ToString(),
            ["Llm:CacheTtlSeconds"] = "0",
            ["RateLimits:RequestsPerMinute"] = "100000",
            ["RateLimits:RequestsPerDay"] = "10000000",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.AddCodeMentor();
        if (Environment.GetEnvironmentVariable("CODEMENTOR_INMEMORY_PROVIDER") == "1")
        {
            builder.Services.AddKeyedSingleton<Microsoft.Extensions.AI.IChatClient>("groq", new InMemoryStreamChatClient(200));
        }
        var app = builder.Build();
        app.MapCodeMentor();
        return app;
    }

    private static async Task<IReadOnlyList<string>> TokensAsync(WebApplication app, Uri baseUri, int users)
    {
        using (var scope = app.Services.CreateScope())
        {
            var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
            for (var i = 0; i < users; i++)
            {
                await accounts.RegisterAsync($"load{i}@example.org", "correct-horse-42");
            }
        }
        using var http = new HttpClient { BaseAddress = baseUri };
        var tokens = new List<string>();
        for (var i = 0; i < users; i++)
        {
            var response = await http.PostAsJsonAsync("/api/auth/token", new { email = $"load{i}@example.org", password = "correct-horse-42" });
            response.EnsureSuccessStatusCode();
            tokens.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!);
        }
        return tokens;
    }
}
