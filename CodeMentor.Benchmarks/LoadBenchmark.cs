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
/// are CodeMentor's percentile minus the direct percentile at the same concurrency.
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

    private sealed record Turn(double FirstTokenMs, double LastTokenMs, bool Ok);

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
        Console.WriteLine($"Reply: {GroqStream.Pieces(Reply, 4).Count()} chunks (~200 tokens); {seconds} s per sustained run.");
        using var direct = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 5000 }) { Timeout = TimeSpan.FromMinutes(5) };
        await RunDirectAsync(direct, groq.BaseUri, 4, TimeSpan.FromSeconds(2)); // warm-up
        await RunHubAsync(baseUri, tokens, 4, TimeSpan.FromSeconds(3), turnsPerClient: null);

        Console.WriteLine();
        Console.WriteLine("| Streams at once | Side | Turns | Streams/s | First token p50 / p95 / p99 (ms) | Last token p50 / p95 / p99 (ms) | Errors | Allocated per turn |");
        Console.WriteLine("|---:|---|---:|---:|---|---|---:|---:|");
        foreach (var concurrency in levels)
        {
            // 1,000 streams at once: every client asks twice; the others run for the sustained time.
            int? turns = concurrency >= 1000 ? 2 : null;
            var duration = TimeSpan.FromSeconds(seconds);
            var d = await Measure(() => RunDirectAsync(direct, groq.BaseUri, concurrency, duration, turns));
            var h = await Measure(() => RunHubAsync(baseUri, tokens, concurrency, duration, turns));
            Print(concurrency, "fake Groq, direct", d);
            Print(concurrency, "CodeMentor hub", h);
            Console.WriteLine($"| | **added by CodeMentor** | | **{h.Throughput / Math.Max(0.001, d.Throughput):0.00}× throughput** | " +
                $"**{Added(h, d, r => r.FirstTokenMs, 0.5)} / {Added(h, d, r => r.FirstTokenMs, 0.95)} / {Added(h, d, r => r.FirstTokenMs, 0.99)}** | " +
                $"**{Added(h, d, r => r.LastTokenMs, 0.5)} / {Added(h, d, r => r.LastTokenMs, 0.95)} / {Added(h, d, r => r.LastTokenMs, 0.99)}** | | " +
                $"**{(h.AllocatedPerTurn - d.AllocatedPerTurn) / 1024.0:0} KB** |");
        }
        // What the errors were, so a non-zero Errors column explains itself.
        foreach (var (what, count) in HubErrors.OrderByDescending(e => e.Value).Take(5))
        {
            Console.WriteLine($"- hub error ×{count:N0}: {what}");
        }
        await StopAsync(app, folder);
        return 0;
    }

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

    private sealed record Result(List<Turn> Turns, double Seconds, double AllocatedPerTurn)
    {
        public double Throughput => Turns.Count(t => t.Ok) / Seconds;
    }

    private static async Task<Result> Measure(Func<Task<(List<Turn> Turns, double Seconds)>> run)
    {
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var (turns, seconds) = await run();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        return new Result(turns, seconds, (double)allocated / Math.Max(1, turns.Count));
    }

    private static void Print(int concurrency, string side, Result r)
    {
        var ok = r.Turns.Where(t => t.Ok).ToList();
        string P(Func<Turn, double> f) => $"{Percentile(ok, f, 0.5):0.0} / {Percentile(ok, f, 0.95):0.0} / {Percentile(ok, f, 0.99):0.0}";
        Console.WriteLine($"| {concurrency:N0} | {side} | {r.Turns.Count:N0} | {r.Throughput:0} | {P(t => t.FirstTokenMs)} | {P(t => t.LastTokenMs)} | " +
            $"{r.Turns.Count(t => !t.Ok)} | {r.AllocatedPerTurn / 1024:0} KB |");
    }

    private static string Added(Result hub, Result direct, Func<Turn, double> f, double p) =>
        $"{Percentile(hub.Turns.Where(t => t.Ok).ToList(), f, p) - Percentile(direct.Turns.Where(t => t.Ok).ToList(), f, p):0.0}";

    private static double Percentile(List<Turn> turns, Func<Turn, double> f, double p)
    {
        if (turns.Count == 0)
        {
            return double.NaN;
        }
        var sorted = turns.Select(f).Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>Clients read the fake's SSE stream directly, as a provider client would.</summary>
    private static async Task<(List<Turn>, double)> RunDirectAsync(HttpClient http, Uri groq, int concurrency, TimeSpan duration, int? turnsPerClient = null)
    {
        var turns = new ConcurrentBag<Turn>();
        var watch = Stopwatch.StartNew();
        var body = JsonSerializer.Serialize(new { model = "openai/gpt-oss-20b", stream = true, messages = new[] { new { role = "user", content = "What is a loop?" } } });
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            for (var n = 0; turnsPerClient is { } max ? n < max : watch.Elapsed < duration; n++)
            {
                var started = Stopwatch.GetTimestamp();
                double? first = null;
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(groq + "/chat/completions"))
                    {
                        Content = new StringContent(body, Encoding.UTF8, "application/json"),
                    };
                    request.Headers.Authorization = new("Bearer", FakeGroqServer.Key);
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                    using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
                    while (await reader.ReadLineAsync() is { } line)
                    {
                        if (first is null && line.Contains("\"content\":\"", StringComparison.Ordinal) && !line.Contains("\"content\":\"\"", StringComparison.Ordinal))
                        {
                            first = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                        }
                        if (line == "data: [DONE]")
                        {
                            break;
                        }
                    }
                    turns.Add(new Turn(first ?? double.NaN, Stopwatch.GetElapsedTime(started).TotalMilliseconds, first is not null));
                }
                catch (Exception)
                {
                    turns.Add(new Turn(double.NaN, double.NaN, false));
                }
            }
        }));
        return (turns.ToList(), watch.Elapsed.TotalSeconds);
    }

    private static readonly ConcurrentDictionary<string, int> HubErrors = new();

    /// <summary>Hub clients: each with its own conversation, asking one question after another.</summary>
    private static async Task<(List<Turn>, double)> RunHubAsync(Uri app, IReadOnlyList<string> tokens, int concurrency, TimeSpan duration, int? turnsPerClient)
    {
        var connections = new HubConnection[concurrency];
        var conversations = new Guid[concurrency];
        await Parallel.ForEachAsync(Enumerable.Range(0, concurrency), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
        {
            connections[i] = new HubConnectionBuilder()
                .WithUrl(new Uri(app, TutorHub.Path), o =>
                {
                    o.AccessTokenProvider = () => Task.FromResult<string?>(tokens[i % tokens.Count]);
                    o.Transports = HttpTransportType.WebSockets;
                    o.SkipNegotiation = true;
                })
                .Build();
            await connections[i].StartAsync();
            conversations[i] = await connections[i].InvokeAsync<Guid>("StartConversation");
        });

        var turns = new ConcurrentBag<Turn>();
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async i =>
        {
            for (var n = 0; turnsPerClient is { } max ? n < max : watch.Elapsed < duration; n++)
            {
                var started = Stopwatch.GetTimestamp();
                double? first = null;
                string? status = null;
                string? detail = null;
                try
                {
                    await foreach (var item in connections[i].StreamAsync<TutorStreamItem>("Ask", conversations[i], $"Question {n} from {i}"))
                    {
                        if (first is null && item.Kind == "text")
                        {
                            first = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                        }
                        status = item.Kind == "done" ? item.Status : status;
                        detail = item.Kind == "done" ? item.Detail : detail;
                    }
                    turns.Add(new Turn(first ?? double.NaN, Stopwatch.GetElapsedTime(started).TotalMilliseconds, status == "Complete" && first is not null));
                    if (status != "Complete" || first is null)
                    {
                        HubErrors.AddOrUpdate($"status {status}: {detail}", 1, (_, n) => n + 1);
                    }
                }
                catch (Exception ex)
                {
                    turns.Add(new Turn(double.NaN, double.NaN, false));
                    HubErrors.AddOrUpdate($"{ex.GetType().Name}: {ex.Message}", 1, (_, n) => n + 1);
                }
            }
        }));
        var elapsed = watch.Elapsed.TotalSeconds;
        await Parallel.ForEachAsync(connections, async (c, _) => await c.DisposeAsync());
        return (turns.ToList(), elapsed);
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
