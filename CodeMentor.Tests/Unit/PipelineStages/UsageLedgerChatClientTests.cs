using CodeMentor.Core.Data;
using CodeMentor.Core.Llm;
using CodeMentor.Core.Llm.Pipeline;
using CodeMentor.Core.Telemetry;
using CodeMentor.Core.Tokens;
using CodeMentor.Core.Usage;
using CodeMentor.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using static CodeMentor.Tests.Unit.PipelineStages.InnerStub;

namespace CodeMentor.Tests.Unit.PipelineStages;

/// <summary>The ledger stage alone: what it records it reads off the stream, and it hands the
/// call's result out on the stream, before the exception when the call failed.</summary>
public abstract class UsageLedgerChatClientTests(DatabaseProvider database) : IAsyncLifetime
{
    private CoreHost _host = default!;

    public async Task InitializeAsync()
    {
        _host = await CoreHost.StartAsync(database: database);
        await _host.Get<LedgerWriter>().StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private UsageLedgerChatClient Ledger(IChatClient inner) => new(inner, _host.Get<LedgerWriter>(), _host.Get<PricingTable>(),
        _host.Get<TokenCounter>(), _host.Get<IOptions<LlmOptions>>(), TimeProvider.System, _host.Get<CodeMentorMetrics>(),
        _host.Get<CodeMentor.Core.SharedState.NodeIdentity>());

    private async Task<LedgerEntry> RowAsync()
    {
        await _host.Get<LedgerWriter>().FlushAsync();
        await using var db = await _host.DbAsync();
        return db.Ledger.Single();
    }

    [Fact]
    public async Task The_result_rides_on_the_last_update_and_is_what_the_ledger_kept()
    {
        var first = Text("Loops repeat.").With(CallFacts.Provider, "groq").With(CallFacts.Attempts, 2)
            .With(CallFacts.ProviderWait, TimeSpan.FromMilliseconds(5)).With(CallFacts.PromptTokens, 12);
        var inner = new InnerStub([first, End(1000, 2000)]);

        var (updates, error) = await Ledger(inner).GetStreamingResponseAsync(Ask("Loops?"), For("ada")).ReadAllAsync();

        Assert.Null(error);
        var result = updates[^1].GetCallResult();
        Assert.NotNull(result);
        Assert.Equal(("groq", "openai/gpt-oss-20b", 2, false), (result!.Provider, result.Model, result.Attempts, result.CacheHit));
        Assert.Equal(2000, result.Usage!.OutputTokenCount);
        var row = await RowAsync();
        Assert.Equal((row.Provider, row.Attempts, row.CostUsd, row.OverheadMs), (result.Provider!, result.Attempts, result.CostUsd, (int)result.Overhead.TotalMilliseconds));
        Assert.Equal(LedgerOutcomes.Ok, row.Outcome);
        // Folded once by the caller, the same result is on the response.
        Assert.Equal(result, updates.ToChatResponse().GetCallResult());
    }

    [Fact]
    public async Task A_failure_hands_out_the_result_first_with_the_facts_its_exception_carried()
    {
        var failure = new LlmException(LlmFailureCategory.ServerError, "Groq had a problem.", "groq");
        failure.Data[CallFacts.Provider] = "groq";
        failure.Data[CallFacts.Attempts] = 4;
        var (updates, error) = await Ledger(new InnerStub([], failure)).GetStreamingResponseAsync(Ask("Hi"), For("ada")).ReadAllAsync();

        Assert.Same(failure, error);
        var result = Assert.Single(updates).GetCallResult()!;
        Assert.Equal(4, result.Attempts);
        var row = await RowAsync();
        Assert.Equal((LedgerOutcomes.Failed, "server-error", 4, "groq"), (row.Outcome, row.FailureCategory, row.Attempts, row.Provider));
    }

    [Fact]
    public async Task A_reply_cut_off_before_its_usage_is_recorded_with_estimated_tokens()
    {
        var first = Text("Part of an answer that").With(CallFacts.PromptTokens, 40);
        var cut = new LlmException(LlmFailureCategory.StreamInterrupted, "The connection dropped.");
        var (updates, _) = await Ledger(new InnerStub([first], cut)).GetStreamingResponseAsync(Ask("Hi"), For("ada")).ReadAllAsync();

        var row = await RowAsync();
        Assert.True(row.Estimated);
        Assert.Equal(40, row.InputTokens); // the window stage's count, read off the first update
        Assert.True(row.OutputTokens > 0);
        Assert.Equal(row.CostUsd, updates[^1].GetCallResult()!.CostUsd);
    }

    [Fact]
    public async Task A_caller_that_stops_reading_still_leaves_a_row()
    {
        var inner = new InnerStub([Text("One"), Text(" two"), End(5, 5)]);
        await foreach (var _ in Ledger(inner).GetStreamingResponseAsync(Ask("Hi"), For("ada")))
        {
            break;
        }
        Assert.Equal(LedgerOutcomes.Stopped, (await RowAsync()).Outcome);
    }

    public sealed class OnSqlite() : UsageLedgerChatClientTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : UsageLedgerChatClientTests(DatabaseProvider.Postgres);
}
