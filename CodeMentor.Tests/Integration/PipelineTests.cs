using CodeMentor.Core.Llm;
using CodeMentor.Core.RateLimiting;
using CodeMentor.Core.Usage;
using CodeMentor.Tests.Support;
using Microsoft.Extensions.AI;
using static CodeMentor.Tests.Integration.PipelineHost;

namespace CodeMentor.Tests.Integration;

/// <summary>The composed pipeline (ledger → limits → routing → window → cache → failover →
/// resilient providers) against fake servers over real HTTP, with a fake clock.</summary>
public sealed class PipelineTests
{
    [Fact]
    public async Task A_429_with_retry_after_is_retried_after_that_delay()
    {
        await using var host = await PipelineHost.StartAsync();
        var arrivals = new List<DateTimeOffset>();
        host.Groq.Enqueue(async context =>
        {
            lock (arrivals) arrivals.Add(host.Clock.GetUtcNow());
            await FakeGroqServer.Error(429, "Rate limit reached for tokens", "rate_limit_exceeded", retryAfter: "7")(context);
        });
        host.Groq.Enqueue(async context =>
        {
            lock (arrivals) arrivals.Add(host.Clock.GetUtcNow());
            await FakeGroqServer.Reply(GroqStream.Reply("Hello after waiting."))(context);
        });
        var options = For("ada");

        // The fake clock moves in 100 ms steps; the retry may only reach the server 7 s (fake) after the 429.
        var response = await host.Pipeline.GetResponseAsync(Ask("What is a loop?"), options).WithClockAsync(host.Clock, TimeSpan.FromMilliseconds(100));

        Assert.Equal("Hello after waiting.", response.Text);
        Assert.Equal(2, arrivals.Count);
        var waited = arrivals[1] - arrivals[0];
        Assert.True(waited >= TimeSpan.FromSeconds(7), $"retried after {waited.TotalSeconds} s");
        Assert.True(waited < TimeSpan.FromSeconds(9), $"retried after {waited.TotalSeconds} s, not after the 7 s asked for");
        Assert.Equal(2, response.GetCallResult()!.Attempts);
    }

    [Fact]
    public async Task A_retry_after_beyond_the_cap_fails_at_once_saying_when_to_come_back()
    {
        await using var host = await PipelineHost.StartAsync();
        host.Groq.Enqueue(FakeGroqServer.Error(429, "Rate limit reached", "rate_limit_exceeded", retryAfter: "120"));

        var ex = await Assert.ThrowsAsync<LlmException>(() => host.Pipeline.GetResponseAsync(Ask("Hi"), For("ada")));

        Assert.Equal(LlmFailureCategory.RateLimited, ex.Category);
        Assert.Contains("try again in 120 s", ex.Message);
        Assert.Single(host.Groq.Requests);
    }

    [Fact]
    public async Task A_rejected_key_is_not_retried_and_says_where_to_set_it()
    {
        await using var host = await PipelineHost.StartAsync();
        host.Groq.Enqueue(FakeGroqServer.Error(401, "Invalid API Key", "invalid_api_key"));

        var ex = await Assert.ThrowsAsync<LlmException>(() => host.Pipeline.GetResponseAsync(Ask("Hi"), For("ada")));

        Assert.Equal(LlmFailureCategory.Unauthorized, ex.Category);
        Assert.Contains("GROQ_API_KEY", ex.Message);
        Assert.Single(host.Groq.Requests);
    }

    [Fact]
    public async Task Transient_errors_are_retried_with_backoff_then_succeed()
    {
        await using var host = await PipelineHost.StartAsync();
        host.Groq.Enqueue(FakeGroqServer.Error(503, "Service Unavailable", "service_unavailable"));
        host.Groq.Enqueue(FakeGroqServer.Error(500, "Internal Server Error", "internal_server_error"));
        var response = await host.Pipeline.GetResponseAsync(Ask("Hi"), For("ada")).WithClockAsync(host.Clock);

        Assert.Equal("Hello from the fake Groq server.", response.Text);
        Assert.Equal(3, response.GetCallResult()!.Attempts);
    }

    [Fact]
    public async Task One_learners_failing_request_does_not_pause_the_provider_for_everyone()
    {
        await using var host = await PipelineHost.StartAsync();
        // Every attempt of Ada's request fails (the first try and all three retries) ...
        for (var i = 0; i < 4; i++)
        {
            host.Groq.Enqueue(FakeGroqServer.Error(500, "Internal Server Error", "internal_server_error"));
        }
        var ada = For("ada");
        var failed = await Assert.ThrowsAsync<LlmException>(() => host.Pipeline.GetResponseAsync(Ask("Ada's question"), ada).WithClockAsync(host.Clock));
        Assert.Equal(LlmFailureCategory.ServerError, failed.Category);

        // ... and Bob, right after, is answered: four failed attempts of one request are one failure.
        var answer = await host.Pipeline.GetResponseAsync(Ask("Bob's question"), For("bob")).WithClockAsync(host.Clock);
        Assert.Equal("Hello from the fake Groq server.", answer.Text);
        Assert.Equal("groq", answer.GetCallResult()!.Provider);
    }

    [Fact]
    public async Task When_the_circuit_is_open_the_refusal_is_recorded_as_such()
    {
        await using var host = await PipelineHost.StartAsync(settings: new() { ["Llm:MaxRetries"] = "0" });
        host.Groq.Default = FakeGroqServer.Error(500, "Internal Server Error", "internal_server_error");
        for (var i = 0; i < 5; i++)
        {
            var failing = For($"learner{i}");
            await Assert.ThrowsAsync<LlmException>(() => host.Pipeline.GetResponseAsync(Ask("Hi"), failing).WithClockAsync(host.Clock));
        }

        var options = For("ada");
        var refused = await Assert.ThrowsAsync<LlmException>(() => host.Pipeline.GetResponseAsync(Ask("Hi"), options).WithClockAsync(host.Clock));

        Assert.Equal(LlmFailureCategory.CircuitOpen, refused.Category);
        Assert.Contains("paused calls to it", refused.Message);
        var row = (await host.LedgerAsync()).Last();
        Assert.Equal(("failed", "circuit-open", 0), (row.Outcome, row.FailureCategory, row.Attempts));
    }

    [Fact]
    public async Task GROQ_MODEL_is_the_model_of_every_feature()
    {
        await using var host = await PipelineHost.StartAsync(settings: new() { ["Llm:Groq:Model"] = "llama-3.3-70b-versatile" });
        foreach (var feature in new[] { "chat", "review", "exercise", "hint", "insight" })
        {
            var options = For("ada", bypassCache: true, feature: feature);
            await host.Pipeline.GetResponseAsync(Ask($"A {feature} question"), options).WithClockAsync(host.Clock);
        }
        Assert.All(host.Groq.Requests, r => Assert.Equal("llama-3.3-70b-versatile", (string?)r.Body["model"]));
    }

    [Fact]
    public async Task A_network_error_tells_the_learner_what_happened_without_the_internal_address()
    {
        await using var host = await PipelineHost.StartAsync(settings: new() { ["Llm:Groq:Endpoint"] = "http://127.0.0.1:9/openai/v1", ["Llm:MaxRetries"] = "0" });

        var options = For("ada");
        var error = await Assert.ThrowsAsync<LlmException>(() => host.Pipeline.GetResponseAsync(Ask("Hi"), options).WithClockAsync(host.Clock));

        Assert.Equal(LlmFailureCategory.Network, error.Category);
        Assert.Equal("Could not reach Groq. Check that it is running and reachable, then try again.", error.Message);
        Assert.Contains("127.0.0.1:9", error.AdminDetail); // for the log and administrators
    }

    [Fact]
    public async Task The_retries_of_a_timed_out_request_end_within_twice_LLM_TIMEOUT()
    {
        await using var host = await PipelineHost.StartAsync(settings: new() { ["Llm:TimeoutSeconds"] = "3" });
        host.Groq.Default = async context => await Task.Delay(Timeout.Infinite, context.RequestAborted); // never answers

        var options = For("ada");
        var started = host.Clock.GetUtcNow();
        // The clock stops at 6.5 s: the refusal must come by then, however long the machine takes to deliver it.
        var error = await Assert.ThrowsAsync<LlmException>(() =>
            host.Pipeline.GetResponseAsync(Ask("Anyone there?"), options).WithClockUntilAsync(host.Clock, TimeSpan.FromSeconds(6.5), TimeSpan.FromMilliseconds(100)));

        Assert.Equal(LlmFailureCategory.Timeout, error.Category);
        Assert.True(host.Clock.GetUtcNow() - started <= TimeSpan.FromSeconds(6.5));
        Assert.Contains("6 seconds", error.Message);
    }

    [Fact]
    public async Task Repeated_500s_open_the_circuit_and_the_fallback_answers_quickly()
    {
        await using var host = await PipelineHost.StartAsync(withFallback: true);
        host.Groq.Default = FakeGroqServer.Error(500, "Internal Server Error", "internal_server_error");
        host.Local!.Default = FakeGroqServer.Reply(GroqStream.Reply("Answer from the local model."));

        // Each call: Groq fails, gets one quick retry, fails again, and the fallback answers. The
        // breaker counts each request once, so it opens after five failed requests, not five attempts.
        for (var i = 0; i < 5; i++)
        {
            var started = host.Clock.GetUtcNow();
            var response = await host.Pipeline.GetResponseAsync(Ask($"Question {i}"), For("ada", feature: "hint")).WithClockAsync(host.Clock);

            Assert.Equal("Answer from the local model.", response.Text);
            Assert.Equal("openai", response.GetCallResult()!.Provider);
            Assert.True(host.Clock.GetUtcNow() - started <= TimeSpan.FromSeconds(2), "the fallback answered within 2 s of fake time");
        }
        var groqCallsWhenOpen = host.Groq.Requests.Count;
        Assert.Equal(10, groqCallsWhenOpen);

        // Now the circuit is open: Groq is not called at all and the fallback answers at once.
        var direct = await host.Pipeline.GetResponseAsync(Ask("One more"), For("ada")).WithClockAsync(host.Clock);

        Assert.Equal("Answer from the local model.", direct.Text);
        Assert.Equal(groqCallsWhenOpen, host.Groq.Requests.Count);
        Assert.Equal("openai", direct.GetCallResult()!.Provider);
        // The fallback was asked with its own model, not Groq's.
        Assert.All(host.Local.Requests, r => Assert.Equal("llama-local", (string?)r.Body["model"]));
    }

    [Fact]
    public async Task A_disconnect_after_some_tokens_keeps_the_partial_reply_and_is_not_retried_or_failed_over()
    {
        await using var host = await PipelineHost.StartAsync(withFallback: true);
        host.Groq.Enqueue(FakeGroqServer.Reply(GroqStream.Reply("Partial answer that is cut").Take(4).ToList()));
        var received = "";

        var ex = await Assert.ThrowsAsync<LlmException>(async () =>
        {
            await foreach (var update in host.Pipeline.GetStreamingResponseAsync(Ask("Hi"), For("ada")))
            {
                received += update.Text;
            }
        });

        Assert.Equal(LlmFailureCategory.StreamInterrupted, ex.Category);
        Assert.StartsWith("Partial answer", received);
        Assert.Single(host.Groq.Requests);
        Assert.Empty(host.Local!.Requests);
    }

    [Fact]
    public async Task A_cache_hit_does_not_reach_the_server_and_regenerate_bypasses_it()
    {
        await using var host = await PipelineHost.StartAsync();

        var first = await host.Pipeline.GetResponseAsync(Ask("What is a loop?"), For("ada"));
        var second = await host.Pipeline.GetResponseAsync(Ask("What is a loop?"), For("bob"));

        Assert.Equal(first.Text, second.Text);
        Assert.Single(host.Groq.Requests);
        Assert.True(second.GetCallResult()!.CacheHit);

        await host.Pipeline.GetResponseAsync(Ask("What is a loop?"), For("ada", bypassCache: true));
        Assert.Equal(2, host.Groq.Requests.Count);

        await host.Pipeline.GetResponseAsync(Ask("Something else"), For("ada"));
        Assert.Equal(3, host.Groq.Requests.Count);
    }

    [Fact]
    public async Task A_failed_reply_is_not_cached()
    {
        await using var host = await PipelineHost.StartAsync();
        host.Groq.Enqueue(FakeGroqServer.Reply(GroqStream.Reply("Cut off").Take(3).ToList()));
        await Assert.ThrowsAsync<LlmException>(() => host.Pipeline.GetResponseAsync(Ask("Q"), For("ada")));

        var retry = await host.Pipeline.GetResponseAsync(Ask("Q"), For("ada"));

        Assert.Equal("Hello from the fake Groq server.", retry.Text);
        Assert.Equal(2, host.Groq.Requests.Count);
    }

    [Fact]
    public async Task One_users_limit_does_not_touch_another_and_a_refusal_never_reaches_the_provider()
    {
        await using var host = await PipelineHost.StartAsync(settings: new() { ["RateLimits:RequestsPerMinute"] = "2", ["Llm:CacheTtlSeconds"] = "0" });

        await host.Pipeline.GetResponseAsync(Ask("1"), For("ada"));
        await host.Pipeline.GetResponseAsync(Ask("2"), For("ada"));
        var refused = await Assert.ThrowsAsync<LlmException>(() => host.Pipeline.GetResponseAsync(Ask("3"), For("ada")));
        var bobs = await host.Pipeline.GetResponseAsync(Ask("1"), For("bob"));

        Assert.Equal(LlmFailureCategory.QuotaExceeded, refused.Category);
        Assert.Contains("2 requests per minute", refused.Message);
        Assert.Contains("your message is saved", refused.Message);
        Assert.NotNull(refused.RetryAfter);
        Assert.Equal("Hello from the fake Groq server.", bobs.Text);
        Assert.Equal(3, host.Groq.Requests.Count);

        var rows = await host.LedgerAsync();
        var refusal = Assert.Single(rows, r => r.Outcome == LedgerOutcomes.RateLimited);
        Assert.Equal("ada", refusal.UserId);
        Assert.Equal(0m, refusal.CostUsd);
        Assert.Equal(0, refusal.InputTokens);
    }

    [Fact]
    public async Task A_daily_token_budget_refuses_once_used_up()
    {
        await using var host = await PipelineHost.StartAsync(settings: new() { ["RateLimits:DailyTokenBudget"] = "100", ["Llm:CacheTtlSeconds"] = "0" });
        host.Groq.Default = FakeGroqServer.Reply(GroqStream.Reply("Hi", usage: GroqStream.Usage(prompt: 80, completion: 30)));

        await host.Pipeline.GetResponseAsync(Ask("1"), For("ada"));
        var refused = await Assert.ThrowsAsync<LlmException>(() => host.Pipeline.GetResponseAsync(Ask("2"), For("ada")));

        Assert.Contains("budget of 100 tokens", refused.Message);
        await host.Pipeline.GetResponseAsync(Ask("1"), For("bob"));
    }

    [Fact]
    public async Task The_days_quota_is_counted_from_the_ledger_so_a_restart_does_not_renew_it()
    {
        await using var host = await PipelineHost.StartAsync(settings: new() { ["RateLimits:RequestsPerDay"] = "3", ["Llm:CacheTtlSeconds"] = "0" });
        host.Groq.Default = FakeGroqServer.Reply(GroqStream.Reply("Hi", usage: GroqStream.Usage(prompt: 80, completion: 30)));
        await host.Pipeline.GetResponseAsync(Ask("1"), For("ada"));
        await host.Pipeline.GetResponseAsync(Ask("2"), For("ada"));
        await host.LedgerAsync(); // flushed

        // A fresh limiter is what the process has after a restart: it must start from the ledger, not from zero.
        var limits = await host.Host.Get<IUserLimitsSource>().GetAsync("ada");
        var restarted = new UserRateLimiter(new InProcessQuotaCounters(host.Clock), host.Clock, host.Host.Get<IUsageToday>());
        await restarted.EnsureLoadedAsync("ada");
        Assert.Equal(1, (await restarted.StatusAsync("ada", limits)).DayRemaining);
        Assert.Equal(220, await restarted.TokensUsedTodayAsync("ada"));
        Assert.True((await restarted.TryAcquireAsync("ada", limits)).Allowed);
        var refused = await restarted.TryAcquireAsync("ada", limits);
        Assert.False(refused.Allowed);
        Assert.Contains("3 requests per day", refused.Message);
        Assert.Contains("midnight UTC", refused.Message);

        host.Clock.Advance(TimeSpan.FromDays(1)); // a new calendar day (UTC) starts from nothing
        await restarted.EnsureLoadedAsync("ada");
        Assert.Equal(3, (await restarted.StatusAsync("ada", limits)).DayRemaining);
    }

    [Fact]
    public async Task Ledger_rows_and_costs_are_exact_for_a_known_usage()
    {
        await using var host = await PipelineHost.StartAsync();
        host.Groq.Default = FakeGroqServer.Reply(GroqStream.Reply("A reply.",
            usage: GroqStream.Usage(prompt: 1000, completion: 2000, reasoning: 300, cached: 400)));

        var priced = await host.Pipeline.GetResponseAsync(Ask("Price me"), For("ada"));
        await host.Pipeline.GetResponseAsync(Ask("Price me"), For("bob")); // a cache hit

        var rows = await host.LedgerAsync();
        Assert.Equal(2, rows.Count);
        var paid = rows[0];
        Assert.Equal(("ada", "chat", "groq", "openai/gpt-oss-20b"), (paid.UserId, paid.Feature, paid.Provider, paid.Model));
        Assert.Equal((1000, 2000, 300, 400), (paid.InputTokens, paid.OutputTokens, paid.ReasoningTokens, paid.CachedInputTokens));
        // 600 fresh input × $0.075/M + 400 cached × $0.0375/M + 2000 output × $0.30/M = $0.00066
        Assert.Equal(0.00066m, paid.CostUsd);
        Assert.Equal(0.00066m, priced.GetCallResult()!.CostUsd); // what the caller reads off the stream is what the ledger kept
        Assert.Equal(LedgerOutcomes.Ok, paid.Outcome);
        Assert.Equal(1, paid.Attempts);
        Assert.NotNull(paid.TimeToFirstTokenMs);

        var hit = rows[1];
        Assert.Equal(LedgerOutcomes.Cached, hit.Outcome);
        Assert.Equal("bob", hit.UserId);
        Assert.Equal(0m, hit.CostUsd);
        Assert.Equal(0.00066m, hit.SavedCostUsd);
        Assert.Equal(0, hit.InputTokens);
    }

    [Fact]
    public async Task A_model_missing_from_the_pricing_table_gets_no_cost_rather_than_a_guess()
    {
        await using var host = await PipelineHost.StartAsync(settings: new() { ["Llm:Groq:Model"] = "mystery/model-x" });
        host.Groq.Default = FakeGroqServer.Reply(GroqStream.Reply("Hi"));

        await host.Pipeline.GetResponseAsync(Ask("Hi"), For("ada"));

        var row = Assert.Single(await host.LedgerAsync());
        Assert.Null(row.CostUsd);
        Assert.Equal("mystery/model-x", (string?)host.Groq.Requests.Single().Body["model"]);
    }

    [Fact]
    public async Task A_failed_call_is_recorded_with_its_category()
    {
        await using var host = await PipelineHost.StartAsync();
        host.Groq.Enqueue(FakeGroqServer.Error(401, "Invalid API Key", "invalid_api_key"));

        await Assert.ThrowsAsync<LlmException>(() => host.Pipeline.GetResponseAsync(Ask("Hi"), For("ada")));

        var row = Assert.Single(await host.LedgerAsync());
        Assert.Equal((LedgerOutcomes.Failed, "unauthorized"), (row.Outcome, row.FailureCategory));
    }

    [Fact]
    public async Task Routing_sends_each_feature_to_its_model_and_reasoning_effort()
    {
        await using var host = await PipelineHost.StartAsync(settings: new()
        {
            ["Llm:Routing:review:Model"] = "openai/gpt-oss-120b",
            ["Llm:Routing:review:ReasoningEffort"] = "medium",
            ["Llm:Routing:hint:ReasoningEffort"] = "low",
            ["Llm:Routing:hint:MaxOutputTokens"] = "300",
        });

        await host.Pipeline.GetResponseAsync(Ask("Review this"), For("ada", feature: "review"));
        await host.Pipeline.GetResponseAsync(Ask("A hint please"), For("ada", feature: "hint"));

        var requests = host.Groq.Requests.ToArray();
        Assert.Equal(("openai/gpt-oss-120b", "medium"), ((string?)requests[0].Body["model"], (string?)requests[0].Body["reasoning_effort"]));
        Assert.Equal(("openai/gpt-oss-20b", "low", 300), ((string?)requests[1].Body["model"], (string?)requests[1].Body["reasoning_effort"],
            (int?)requests[1].Body["max_completion_tokens"]));
    }

    [Fact]
    public async Task Groqs_own_limits_make_the_next_call_wait_for_the_reset_instead_of_hitting_a_429()
    {
        await using var host = await PipelineHost.StartAsync(settings: new() { ["Llm:CacheTtlSeconds"] = "0" });
        var arrivals = new List<DateTimeOffset>();
        host.Groq.Enqueue(async context =>
        {
            lock (arrivals) arrivals.Add(host.Clock.GetUtcNow());
            await FakeGroqServer.Reply(GroqStream.Reply("First."), headers: new Dictionary<string, string>
            {
                ["x-ratelimit-remaining-tokens"] = "10",
                ["x-ratelimit-reset-tokens"] = "4.5s",
            })(context);
        });
        host.Groq.Enqueue(async context =>
        {
            lock (arrivals) arrivals.Add(host.Clock.GetUtcNow());
            await FakeGroqServer.Reply(GroqStream.Reply("Second."))(context);
        });
        await host.Pipeline.GetResponseAsync(Ask("1"), For("ada"));

        // Only 10 tokens are left in Groq's minute window: the next call waits for the reset (fake time).
        var second = await host.Pipeline.GetResponseAsync(Ask("2"), For("ada")).WithClockAsync(host.Clock, TimeSpan.FromMilliseconds(100));

        Assert.Equal("Second.", second.Text);
        var waited = arrivals[1] - arrivals[0];
        Assert.True(waited >= TimeSpan.FromSeconds(4.5), $"sent after {waited.TotalSeconds} s");
        Assert.True(waited < TimeSpan.FromSeconds(6.5), $"sent after {waited.TotalSeconds} s");
    }

    [Fact]
    public async Task Rows_still_queued_at_shutdown_are_written()
    {
        await using var host = await PipelineHost.StartAsync();
        var writer = host.Host.Get<LedgerWriter>();
        for (var i = 0; i < 1200; i++)
        {
            writer.Enqueue(new LedgerEntry { UserId = $"user-{i % 7}", TimestampUtc = DateTime.UtcNow, Feature = "chat", Outcome = LedgerOutcomes.Ok });
        }

        await writer.StopAsync(CancellationToken.None);

        await using var db = await host.Host.DbAsync();
        Assert.Equal(1200, db.Ledger.Count());
    }

    [Fact]
    public async Task An_admins_limit_for_one_user_applies_from_their_next_request_and_can_be_reset()
    {
        await using var host = await PipelineHost.StartAsync(settings: new() { ["Llm:CacheTtlSeconds"] = "0" });
        var ada = await host.Host.CreateUserAsync("ada@example.org");
        var limits = host.Host.Get<CodeMentor.Core.RateLimiting.DatabaseUserLimits>();
        await host.Pipeline.GetResponseAsync(Ask("1"), For(ada)); // the defaults (30 a minute) are read and kept

        await limits.SetAsync(ada, perMinute: 1, perDay: null, tokenBudget: null);
        await host.Pipeline.GetResponseAsync(Ask("2"), For(ada));
        var refused = await Assert.ThrowsAsync<LlmException>(() => host.Pipeline.GetResponseAsync(Ask("3"), For(ada)));
        Assert.Contains("limit of 1 request per minute", refused.Message);

        await limits.ResetAsync(ada);
        await host.Pipeline.GetResponseAsync(Ask("4"), For(ada));
        Assert.Equal(3, host.Groq.Requests.Count);
        Assert.Null(await limits.GetOverrideAsync(ada));
    }
}
