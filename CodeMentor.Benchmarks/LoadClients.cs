using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CodeMentor.Testing;
using CodeMentor.Web.Hubs;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace CodeMentor.Benchmarks;

/// <summary>One sustained run of the load benchmark, as asked of the client process.</summary>
internal sealed record LoadRun(string Side, int Concurrency, double Seconds, int? TurnsPerClient);

/// <summary>One turn as a client saw it: milliseconds from asking to the first and the last text.</summary>
internal sealed record LoadTurn(double FirstTokenMs, double LastTokenMs, bool Ok);

/// <summary>What the client process saw in one run, and what it allocated itself.</summary>
internal sealed record LoadRunResult(List<LoadTurn> Turns, double Seconds, long ClientAllocated, Dictionary<string, int> Errors);

/// <summary>What the client process needs once: where the portal and the fake are, and whom to sign in as.</summary>
internal sealed record LoadTarget(Uri App, Uri Groq, IReadOnlyList<string> Tokens);

/// <summary>
/// The load benchmark's clients, run in a process of their own (<c>load-clients</c>), so that what the
/// benchmark's process allocates is the portal's work (and the fake's, the same on both sides), not the
/// SignalR client's parsing of every token. The parent writes one <see cref="LoadTarget"/> line, then one
/// <see cref="LoadRun"/> line per run, on standard input; each run's <see cref="LoadRunResult"/> comes back
/// in a file whose path is written on standard output.
/// </summary>
internal static class LoadClients
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals, // a failed turn's times are NaN
    };

    public static async Task<int> RunAsync()
    {
        ThreadPool.SetMinThreads(200, 200);
        var target = JsonSerializer.Deserialize<LoadTarget>(Console.ReadLine()!, Json)!;
        using var direct = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 5000 }) { Timeout = TimeSpan.FromMinutes(5) };
        while (Console.ReadLine() is { Length: > 0 } line)
        {
            var run = JsonSerializer.Deserialize<LoadRun>(line, Json)!;
            var errors = new ConcurrentDictionary<string, int>();
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var duration = TimeSpan.FromSeconds(run.Seconds);
            var (turns, seconds) = run.Side == "direct"
                ? await DirectAsync(direct, target.Groq, run.Concurrency, duration, run.TurnsPerClient)
                : await HubAsync(target.App, target.Tokens, run.Concurrency, duration, run.TurnsPerClient, errors);
            var result = new LoadRunResult(turns, seconds, GC.GetTotalAllocatedBytes(precise: true) - before, new(errors));
            // Through a file: the parent reads its allocation figure before it reads (and allocates for) the result.
            var path = Path.Combine(Path.GetTempPath(), $"codementor-load-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(result, Json));
            Console.WriteLine(path);
        }
        return 0;
    }

    /// <summary>Clients read the fake's SSE stream directly, as a provider client would.</summary>
    private static async Task<(List<LoadTurn>, double)> DirectAsync(HttpClient http, Uri groq, int concurrency, TimeSpan duration, int? turnsPerClient)
    {
        var turns = new ConcurrentBag<LoadTurn>();
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
                    turns.Add(new LoadTurn(first ?? double.NaN, Stopwatch.GetElapsedTime(started).TotalMilliseconds, first is not null));
                }
                catch (Exception)
                {
                    turns.Add(new LoadTurn(double.NaN, double.NaN, false));
                }
            }
        }));
        return (turns.ToList(), watch.Elapsed.TotalSeconds);
    }

    /// <summary>Hub clients: each with its own conversation, asking one question after another.</summary>
    private static async Task<(List<LoadTurn>, double)> HubAsync(
        Uri app, IReadOnlyList<string> tokens, int concurrency, TimeSpan duration, int? turnsPerClient, ConcurrentDictionary<string, int> errors)
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

        var turns = new ConcurrentBag<LoadTurn>();
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
                    turns.Add(new LoadTurn(first ?? double.NaN, Stopwatch.GetElapsedTime(started).TotalMilliseconds, status == "Complete" && first is not null));
                    if (status != "Complete" || first is null)
                    {
                        errors.AddOrUpdate($"status {status}: {detail}", 1, (_, n) => n + 1);
                    }
                }
                catch (Exception ex)
                {
                    turns.Add(new LoadTurn(double.NaN, double.NaN, false));
                    errors.AddOrUpdate($"{ex.GetType().Name}: {ex.Message}", 1, (_, n) => n + 1);
                }
            }
        }));
        var elapsed = watch.Elapsed.TotalSeconds;
        await Parallel.ForEachAsync(connections, async (c, _) => await c.DisposeAsync());
        return (turns.ToList(), elapsed);
    }
}

/// <summary>The parent's handle on the client process: one run asked, one result read back.</summary>
internal sealed class LoadClientProcess : IAsyncDisposable
{
    private readonly Process _process;

    private LoadClientProcess(Process process) => _process = process;

    public static LoadClientProcess Start(LoadTarget target)
    {
        // This same program in its client mode; workstation GC, as a client application would have.
        var start = BenchmarkPortal.SelfStartInfo("load-clients");
        start.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(start) ?? throw new InvalidOperationException("The load client process did not start.");
        process.StandardInput.WriteLine(JsonSerializer.Serialize(target, LoadClients.Json));
        return new LoadClientProcess(process);
    }

    /// <summary>Asks for one run and waits for it; returns where its result is (see <see cref="Read"/>).</summary>
    public async Task<string> RunAsync(LoadRun run)
    {
        await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(run, LoadClients.Json));
        await _process.StandardInput.FlushAsync();
        return await _process.StandardOutput.ReadLineAsync()
            ?? throw new InvalidOperationException($"The load client process ended (exit code {(_process.HasExited ? _process.ExitCode : -1)}).");
    }

    public static LoadRunResult Read(string path)
    {
        var result = JsonSerializer.Deserialize<LoadRunResult>(File.ReadAllText(path), LoadClients.Json)!;
        File.Delete(path);
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close(); // an empty read ends the client loop
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
