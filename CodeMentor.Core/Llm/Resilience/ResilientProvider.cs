using CodeMentor.Core.Llm.Providers;
using Microsoft.Extensions.AI;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace CodeMentor.Core.Llm.Resilience;

/// <summary>
/// One provider behind Polly: a circuit breaker that sees each request once (outside the
/// retries), an overall deadline (twice LLM_TIMEOUT unless set), and retries with exponential
/// backoff and jitter that honour retry-after up to a cap. The breaker is shared by every call to
/// this provider. Only the start of a reply is retried: once the first token is out, a failure is final.
/// </summary>
public sealed class ResilientProvider
{
    private readonly IChatClient _client;
    private readonly TimeProvider _time;
    private readonly ResilienceOptions _options;
    private readonly TimeSpan _deadline;
    private readonly ResiliencePipeline _full;
    private readonly ResiliencePipeline _quick;
    private readonly CircuitBreakerStateProvider _circuit = new();
    private volatile LlmException? _keyRejected;

    public ResilientProvider(string name, IChatClient client, int maxRetries, ResilienceOptions options, TimeProvider time, int timeoutSeconds = 30,
        IProviderLimitsShare? share = null)
    {
        Name = name;
        _client = client;
        _time = time;
        _options = options;
        _deadline = TimeSpan.FromSeconds(options.DeadlineSeconds ?? 2.0 * timeoutSeconds);
        Throttle = new ProviderThrottle(time, options.ProviderHeadroomRatio, share is null ? null : limits => share.Announce(name, limits));

        var breaker = new CircuitBreakerStrategyOptions
        {
            FailureRatio = options.BreakerFailureRatio,
            MinimumThroughput = Math.Max(2, options.BreakerMinimumThroughput),
            SamplingDuration = TimeSpan.FromSeconds(Math.Max(0.5, options.BreakerSamplingSeconds)),
            BreakDuration = TimeSpan.FromSeconds(Math.Max(0.5, options.BreakerBreakSeconds)),
            StateProvider = _circuit,
            // Being told to slow down, or a request the provider found invalid, is not a sign that it is broken.
            ShouldHandle = new PredicateBuilder().Handle<LlmException>(e => e.IsTransient && e.Category != LlmFailureCategory.RateLimited)
                .Handle<TimeoutRejectedException>(),
        };
        var shared = new ResiliencePipelineBuilder { TimeProvider = time }.AddCircuitBreaker(breaker).Build();

        _full = Build(time, shared, maxRetries, TimeSpan.FromSeconds(options.BaseDelaySeconds), useJitter: true,
            TimeSpan.FromSeconds(options.MaxRetryAfterSeconds));
        var quickDelay = TimeSpan.FromSeconds(options.FailoverRetryDelaySeconds);
        _quick = Build(time, shared, Math.Min(1, maxRetries), quickDelay, useJitter: false, quickDelay * 4);
    }

    public string Name { get; }
    public ProviderThrottle Throttle { get; }

    /// <summary>The shared circuit breaker's state: Open while calls to this provider are paused.</summary>
    public CircuitState Circuit => _circuit.CircuitState;

    /// <summary>Set when the provider refused the key (401/403) and nothing has succeeded since:
    /// no retry fixes that, an administrator must.</summary>
    public LlmException? KeyRejected => _keyRejected;

    /// <summary>Outermost the shared breaker (one outcome per request), then the deadline, then the retries.</summary>
    private ResiliencePipeline Build(TimeProvider time, ResiliencePipeline breaker, int retries, TimeSpan delay, bool useJitter, TimeSpan maxRetryAfter)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddPipeline(breaker)
            .AddTimeout(_deadline);
        if (retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = useJitter,
                Delay = delay,
                MaxDelay = TimeSpan.FromSeconds(_options.MaxRetryAfterSeconds),
                ShouldHandle = new PredicateBuilder().Handle<LlmException>(e =>
                    e.IsTransient && (e.RetryAfter is null || e.RetryAfter <= maxRetryAfter)),
                // Honour the provider's retry-after exactly; otherwise exponential backoff with jitter.
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is LlmException { RetryAfter: { } wait } ? wait : (TimeSpan?)null),
            });
        }
        return builder.Build();
    }

    /// <param name="quick">True when another provider can take over: one short retry, then hand over.</param>
    /// <param name="log">The call's own tally of attempts and provider wait, kept by the caller across providers.</param>
    public async Task<StreamStart> StartAsync(IReadOnlyList<ChatMessage> messages, ChatOptions options, bool quick,
        AttemptLog log, int estimatedTokens, CancellationToken cancellationToken)
    {
        try
        {
            var started = await (quick ? _quick : _full).ExecuteAsync(
                async attemptToken => await AttemptAsync(messages, options, log, estimatedTokens, attemptToken, cancellationToken),
                cancellationToken);
            _keyRejected = null;
            return started;
        }
        catch (LlmException ex) when (ex.Category is LlmFailureCategory.Unauthorized or LlmFailureCategory.Forbidden)
        {
            _keyRejected = ex;
            throw;
        }
        catch (BrokenCircuitException ex)
        {
            throw new LlmException(LlmFailureCategory.CircuitOpen,
                $"{Display} failed for several requests in a row, so CodeMentor paused calls to it for {_options.BreakerBreakSeconds:0} seconds. Try again shortly.",
                Name, retryAfter: ex.RetryAfter, inner: ex);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new LlmException(LlmFailureCategory.Timeout,
                $"{Display} did not start answering within {_deadline.TotalSeconds:0} seconds, retries included. Try again in a moment.",
                Name, inner: ex);
        }
    }

    private async ValueTask<StreamStart> AttemptAsync(IReadOnlyList<ChatMessage> messages, ChatOptions options, AttemptLog log,
        int estimatedTokens, CancellationToken attemptToken, CancellationToken callerToken)
    {
        log.Attempts++;
        await WaitForProviderQuotaAsync(estimatedTokens, attemptToken);
        var requested = _time.GetTimestamp();

        // The stream outlives this attempt, so it gets its own token: the caller's (Stop) always,
        // Polly's (deadline) only until the first token.
        var streamCancellation = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        var stream = _client.GetStreamingResponseAsync(messages, options, streamCancellation.Token).GetAsyncEnumerator(streamCancellation.Token);
        var buffered = new List<ChatResponseUpdate>();
        try
        {
            using (attemptToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), streamCancellation))
            {
                while (await stream.MoveNextAsync())
                {
                    var update = stream.Current;
                    if (update.AdditionalProperties?.GetValueOrDefault(ProviderRateLimits.PropertyName) is ProviderRateLimits limits)
                    {
                        Throttle.Observe(limits);
                    }
                    buffered.Add(update);
                    if (update.HasText())
                    {
                        return new StreamStart(buffered, stream, streamCancellation, ended: false);
                    }
                }
            }
            return new StreamStart(buffered, stream, streamCancellation, ended: true);
        }
        catch
        {
            await stream.DisposeAsync();
            streamCancellation.Dispose();
            throw;
        }
        finally
        {
            log.ProviderWait += _time.GetElapsedTime(requested);
        }
    }

    private async Task WaitForProviderQuotaAsync(int estimatedTokens, CancellationToken ct)
    {
        var wait = Throttle.WaitFor(estimatedTokens);
        if (wait <= TimeSpan.Zero)
        {
            return;
        }
        if (wait > TimeSpan.FromSeconds(_options.MaxRetryAfterSeconds))
        {
            throw new LlmException(LlmFailureCategory.RateLimited,
                $"{Display}'s organisation limit is used up; it resets in {Math.Ceiling(wait.TotalSeconds):0} s. Try again then.",
                Name, retryAfter: wait);
        }
        await Task.Delay(wait, Throttle.Time, ct);
    }

    private string Display => Name switch
    {
        ProviderNames.Groq => "Groq",
        ProviderNames.OpenAI => "The OpenAI-compatible endpoint",
        _ => Name,
    };
}

/// <summary>One call's tally across its attempts and providers: how many requests were made and how
/// long they took to start answering (what the pipeline's overhead is measured against).</summary>
public sealed class AttemptLog
{
    public int Attempts { get; set; }
    public TimeSpan ProviderWait { get; set; }
}
