namespace CodeMentor.Core.Usage;

/// <summary>One model call, or one refused or cached request: the usage and cost ledger behind
/// the admin dashboard.</summary>
public sealed class LedgerEntry : ILedgerKeys
{
    public long Id { get; set; }
    public DateTime TimestampUtc { get; set; }
    public string UserId { get; set; } = "";
    public Guid? ConversationId { get; set; }

    /// <summary>The course the call was tutoring work in (the learner's working course), whose budgets it counts against.</summary>
    public Guid? CourseId { get; set; }
    public string Feature { get; set; } = "";
    public string Provider { get; set; } = "";
    public string Model { get; set; } = "";
    public int InputTokens { get; set; }
    public int OutputTokens { get; set; }
    public int ReasoningTokens { get; set; }
    public int CachedInputTokens { get; set; }
    /// <summary>Cost in pico-dollars (see <see cref="Money.PicoPerUsd"/>).</summary>
    public long? CostPico { get; set; }
    public long SavedCostPico { get; set; }
    public int LatencyMs { get; set; }
    public int? TimeToFirstTokenMs { get; set; }
    public int Attempts { get; set; }

    /// <summary>Milliseconds CodeMentor's pipeline added to the call (to its first token, or to its
    /// end when none came), provider time excluded. Null for rows written before it was kept.</summary>
    public int? OverheadMs { get; set; }

    /// <summary>ok, cached, rate-limited, stopped or failed.</summary>
    public string Outcome { get; set; } = LedgerOutcomes.Ok;

    /// <summary>For failed calls: the failure category (timeout, unauthorized, server-error, …).</summary>
    public string? FailureCategory { get; set; }

    /// <summary>True when the tokens (and so the cost) are estimated: the call was cut off before the
    /// provider reported its usage (a stopped stream, or a server killed mid-reply).</summary>
    public bool Estimated { get; set; }

    public decimal? CostUsd
    {
        get => Money.FromPico(CostPico);
        set => CostPico = Money.ToPico(value);
    }

    public decimal SavedCostUsd
    {
        get => Money.FromPico(SavedCostPico);
        set => SavedCostPico = Money.ToPico(value);
    }
}

public static class LedgerOutcomes
{
    public const string Ok = "ok";
    public const string Cached = "cached";
    public const string RateLimited = "rate-limited";
    public const string Stopped = "stopped";
    public const string Failed = "failed";

    /// <summary>The server process ended during the call (found at the next start).</summary>
    public const string Interrupted = "interrupted";
}
