namespace CodeMentor.Core.Llm.Resilience;

/// <summary>How calls to a provider are retried and when a provider is given up on. Bound from
/// "Llm:Resilience"; the retry count and per-attempt timeout are LLM_MAX_RETRIES and LLM_TIMEOUT.</summary>
public sealed class ResilienceOptions
{
    /// <summary>First backoff delay; doubled each retry, with jitter.</summary>
    public double BaseDelaySeconds { get; set; } = 1;

    /// <summary>The longest retry-after honoured. Longer waits fail at once, telling the learner when to come back.</summary>
    public double MaxRetryAfterSeconds { get; set; } = 30;

    /// <summary>Overall deadline for getting the first token, across all retries of one provider.
    /// Unset: twice LLM_TIMEOUT, so a learner never waits much longer than the timeout they set.</summary>
    public double? DeadlineSeconds { get; set; }

    /// <summary>With a fallback configured, the primary gets this one quick retry and then hands
    /// over, so the fallback answers within about two seconds.</summary>
    public double FailoverRetryDelaySeconds { get; set; } = 0.25;

    /// <summary>Circuit breaker: share of failed requests (each request counted once, however
    /// often it was retried) over the sampling window that opens the circuit, once at least
    /// <see cref="BreakerMinimumThroughput"/> distinct requests were seen in it. One learner's
    /// failing request never pauses the provider for everyone.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;
    public int BreakerMinimumThroughput { get; set; } = 5;
    public double BreakerSamplingSeconds { get; set; } = 30;
    public double BreakerBreakSeconds { get; set; } = 30;

    /// <summary>Below this share of Groq's remaining per-minute tokens or daily requests, new calls
    /// wait for the reset instead of running into a 429.</summary>
    public double ProviderHeadroomRatio { get; set; } = 0.02;
}
