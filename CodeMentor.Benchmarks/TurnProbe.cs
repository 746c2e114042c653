using System.Diagnostics;
using CodeMentor.Core.Prompts;
using CodeMentor.Core.Tutoring;
using CodeMentor.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace CodeMentor.Benchmarks;

/// <summary>Times the phases of sequential chat turns in process (no hub): where a turn's latency goes.</summary>
public static class TurnProbe
{
    public static async Task<int> RunAsync(WebApplication app, int turns)
    {
        var conversations = app.Services.GetRequiredService<ConversationService>();
        var store = app.Services.GetRequiredService<ConversationStore>();
        using var scope = app.Services.CreateScope();
        var user = (await scope.ServiceProvider.GetRequiredService<CodeMentor.Core.Accounts.AccountService>().RegisterAsync("probe@example.org", "correct-horse-42"));
        var db = app.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<CodeMentor.Core.Data.AppDbContext>>();
        await using var context = await db.CreateDbContextAsync();
        var userId = context.Users.Single(u => u.Email == "probe@example.org").Id;
        var conversation = await store.CreateAsync(userId, new LearnerContext());
        var send = new List<double>(); var first = new List<double>(); var end = new List<double>();
        long allocatedBefore = 0;
        AllocationSampler? sampler = null;
        CommandCounter? commands = null;
        for (var i = 0; i < turns; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            var sent = await conversations.SendAsync(userId, conversation, $"Question {i}");
            var t1 = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            var firstText = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
            sent.Run!.Changed += () => { if (sent.Run.TextLength > 0) firstText.TrySetResult(Stopwatch.GetElapsedTime(t0).TotalMilliseconds); };
            if (sent.Run.TextLength > 0) firstText.TrySetResult(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            var f = await firstText.Task;
            await sent.Run.Completion;
            var e = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            if (i == 19) { GC.Collect(); allocatedBefore = GC.GetTotalAllocatedBytes(true); sampler = new AllocationSampler(); commands = new CommandCounter(); }
            if (i >= 20) { send.Add(t1); first.Add(f); end.Add(e); }
        }
        string P(List<double> x) { x.Sort(); return $"p50 {x[x.Count / 2]:0.00} p95 {x[(int)(x.Count * 0.95)]:0.00}"; }
        await app.Services.GetRequiredService<CodeMentor.Core.Usage.LedgerWriter>().FlushAsync();
        Console.WriteLine($"allocated per turn (server path, whole process): {(GC.GetTotalAllocatedBytes(true) - allocatedBefore) / 1024.0 / (turns - 20):0} KB");
        sampler?.Print(turns - 20);
        commands?.Print(turns - 20);
        Console.WriteLine($"SendAsync returns: {P(send)} ms; first text at the run: {P(first)} ms; run completed (saved): {P(end)} ms");
        return 0;
    }
}

/// <summary>
/// What the turns allocate, by type: the runtime reports a sample about every 100 KB allocated
/// (GCAllocationTick) with the type of the object that crossed the mark, so the shares are estimates.
/// </summary>
internal sealed class AllocationSampler : System.Diagnostics.Tracing.EventListener
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _bytes = new();

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1); // GC
        }
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
    {
        if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || e.Payload is null)
        {
            return;
        }
        var type = e.Payload[e.PayloadNames!.IndexOf("TypeName")] as string ?? "?";
        var amount = Convert.ToInt64(e.Payload[e.PayloadNames.IndexOf("AllocationAmount64")], System.Globalization.CultureInfo.InvariantCulture);
        _bytes.AddOrUpdate(type, amount, (_, total) => total + amount);
    }

    public void Print(int turns)
    {
        Dispose();
        var total = _bytes.Values.Sum();
        Console.WriteLine($"sampled allocations by type (~{total / 1024.0 / turns:0} KB per turn):");
        foreach (var (type, bytes) in _bytes.OrderByDescending(x => x.Value).Take(30))
        {
            Console.WriteLine($"  {bytes * 100.0 / total,5:0.0}%  {bytes / 1024.0 / turns,6:0.0} KB/turn  {type}");
        }
    }
}

/// <summary>The SQL statements the turns run, from EF Core's diagnostic events (statements run by EF Core only).</summary>
internal sealed class CommandCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _counts = new();
    private readonly List<IDisposable> _subscriptions = [];

    public CommandCounter() => _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener listener)
    {
        if (listener.Name == Microsoft.EntityFrameworkCore.DbLoggerCategory.Name)
        {
            lock (_subscriptions)
            {
                _subscriptions.Add(listener.Subscribe(this));
            }
        }
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> e)
    {
        if (e.Value is Microsoft.EntityFrameworkCore.Diagnostics.CommandExecutedEventData executed)
        {
            var text = executed.Command.CommandText.ReplaceLineEndings(" ");
            _counts.AddOrUpdate(text.Length > 110 ? text[..110] : text, 1, (_, n) => n + 1);
        }
    }

    public void Print(int turns)
    {
        lock (_subscriptions)
        {
            _subscriptions.ForEach(s => s.Dispose());
        }
        Console.WriteLine($"statements per turn: {_counts.Values.Sum() / (double)turns:0.0}");
        foreach (var (text, count) in _counts.OrderByDescending(c => c.Value).Take(25))
        {
            Console.WriteLine($"  {count / (double)turns,5:0.00}  {text}");
        }
    }

    void IObserver<DiagnosticListener>.OnCompleted() { }
    void IObserver<DiagnosticListener>.OnError(Exception error) { }
    void IObserver<KeyValuePair<string, object?>>.OnCompleted() { }
    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error) { }
}
