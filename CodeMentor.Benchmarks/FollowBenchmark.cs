using System.Diagnostics;
using CodeMentor.Core.Accounts;
using CodeMentor.Core.Data;
using CodeMentor.Core.Prompts;
using CodeMentor.Core.SharedState;
using CodeMentor.Core.Tutoring;
using CodeMentor.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace CodeMentor.Benchmarks;

/// <summary>
/// How much later a reply's first words reach a page on another node (followed through Redis) than a
/// page on the node running it (in process). Two portals share an empty PostgreSQL database and a
/// Redis; turns are asked one after another on node A, and each is followed on node B at once.
/// Both times are taken from the same moment (the send), in the same process, for the same reply.
/// </summary>
public static class FollowBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: follow <postgres connection string of an empty database> <redis url> [turns]");
            return 2;
        }
        var turns = args.Length > 2 ? int.Parse(args[2]) : 200;
        var settings = new Dictionary<string, string?>
        {
            [DatabaseEngine.ProviderKey] = "postgres", ["ConnectionStrings:CodeMentor"] = args[0], [RedisSettings.ConfigurationKey] = args[1],
        };
        await using var groq = await FakeGroqServer.StartAsync();
        groq.Default = FakeGroqServer.Reply(GroqStream.Reply(string.Concat(Enumerable.Range(1, 60).Select(i => $"Step {i}. ")), pieceLength: 8),
            TimeSpan.FromMilliseconds(2));
        var folder = Path.Combine(Path.GetTempPath(), "codementor-follow-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        await using var a = LoadBenchmark.BuildApp(folder, groq.BaseUri, LocalPort.Free(), settings);
        await a.StartAsync();
        await using var b = LoadBenchmark.BuildApp(folder, groq.BaseUri, LocalPort.Free(), settings);
        await b.StartAsync();

        string user;
        using (var scope = a.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<AccountService>().RegisterAsync("bench@example.org", "correct-horse-42");
            user = (await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync("bench@example.org"))!.Id;
        }
        var conversation = await a.Services.GetRequiredService<ConversationStore>().CreateAsync(user, new LearnerContext());
        var onA = a.Services.GetRequiredService<ConversationService>();
        var onB = b.Services.GetRequiredService<ConversationService>();

        var local = new List<double>();
        var followed = new List<double>();
        for (var turn = -10; turn < turns; turn++) // ten warm-up turns
        {
            var origin = Ms(Stopwatch.GetTimestamp());
            var sent = await onA.SendAsync(user, conversation, $"Question {turn}");
            var here = FirstText(sent.Run!);
            GenerationRun? there = null;
            while ((there = onB.FindRun(user, sent.Reply!.Id)) is null && !sent.Run!.Completion.IsCompleted)
            {
                await Task.Yield();
            }
            var away = there is null ? Task.FromResult(double.NaN) : FirstText(there);
            var (h, t) = (await here, await away);
            await sent.Run!.Completion;
            if (there is not null)
            {
                await there.Completion;
            }
            if (turn >= 0 && !double.IsNaN(t))
            {
                local.Add(h - origin);
                followed.Add(t - origin);
            }
        }

        Console.WriteLine($"# Follow benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        Console.WriteLine($"{followed.Count} of {turns} turns followed on node B");
        Console.WriteLine("| Where the page is | First words p50 (ms) | p95 (ms) |");
        Console.WriteLine("|---|---:|---:|");
        Console.WriteLine($"| node A, running the reply (in process) | {P(local, 0.5):0.0} | {P(local, 0.95):0.0} |");
        Console.WriteLine($"| node B, following through Redis | {P(followed, 0.5):0.0} | {P(followed, 0.95):0.0} |");
        var added = followed.Zip(local, (f, l) => f - l).ToList();
        Console.WriteLine($"| **added by following** | **{P(added, 0.5):0.0}** | **{P(added, 0.95):0.0}** |");
        await a.StopAsync();
        await b.StopAsync();
        return 0;
    }

    private static double Ms(long timestamp) => timestamp * 1000.0 / Stopwatch.Frequency;

    /// <summary>Completes with the moment (ms on the stopwatch's clock, shared by both) the run first has text.</summary>
    private static Task<double> FirstText(GenerationRun run)
    {
        var first = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check()
        {
            if (run.TextLength > 0)
            {
                first.TrySetResult(Ms(Stopwatch.GetTimestamp()));
            }
        }
        run.Changed += Check;
        Check();
        run.Completion.ContinueWith(_ => first.TrySetResult(double.NaN), TaskScheduler.Default);
        return first.Task;
    }

    private static double P(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }
}
