using CodeMentor.Core.Llm.Providers;

namespace CodeMentor.Core.Llm.Resilience;

/// <summary>
/// Remembers the organisation-wide limits a provider last reported (Groq's x-ratelimit-* headers)
/// and, when almost nothing is left, makes new calls wait for the reset instead of running into a 429.
/// With several nodes, what one node hears is announced to the others (<see cref="IProviderLimitsShare"/>),
/// since the limits are the organisation's, not the node's.
/// </summary>
public sealed class ProviderThrottle(TimeProvider time, double headroomRatio, Action<ProviderRateLimits>? announce = null)
{
    private readonly Lock _gate = new();
    private ProviderRateLimits? _limits;

    public TimeProvider Time => time;
    private long _observedAt;

    /// <summary>What this node's call to the provider was told.</summary>
    public void Observe(ProviderRateLimits limits)
    {
        Remember(limits);
        announce?.Invoke(limits);
    }

    /// <summary>What another node's call was told (not announced again).</summary>
    public void ObserveElsewhere(ProviderRateLimits limits) => Remember(limits);

    private void Remember(ProviderRateLimits limits)
    {
        lock (_gate)
        {
            _limits = limits;
            _observedAt = time.GetTimestamp();
        }
    }

    /// <summary>How long a call that needs about <paramref name="estimatedTokens"/> should wait; zero when it may go now.</summary>
    public TimeSpan WaitFor(int estimatedTokens)
    {
        ProviderRateLimits? limits;
        TimeSpan elapsed;
        lock (_gate)
        {
            limits = _limits;
            elapsed = time.GetElapsedTime(_observedAt);
        }
        if (limits is null)
        {
            return TimeSpan.Zero;
        }

        var wait = TimeSpan.Zero;
        if (limits.RequestsRemaining is { } requests && limits.RequestsReset is { } requestsReset
            && requests <= Math.Max(0, Headroom(limits.RequestLimit)))
        {
            wait = Max(wait, requestsReset - elapsed);
        }
        if (limits.TokensRemaining is { } tokens && limits.TokensReset is { } tokensReset
            && tokens < Math.Max(estimatedTokens, Headroom(limits.TokenLimit)))
        {
            wait = Max(wait, tokensReset - elapsed);
        }
        return wait;
    }

    private long Headroom(long? limit) => limit is { } l ? (long)Math.Floor(l * headroomRatio) : 0;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
