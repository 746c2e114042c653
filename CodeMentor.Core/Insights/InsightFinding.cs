namespace CodeMentor.Core.Insights;

public enum FindingKind
{
    CostSpike,
    ErrorSpike,
    TopFeature,
    TopUser,
    CacheSavings,
    WhatIfCheaperModel,
    RateLimitPressure,
    Unpriced,
}

/// <summary>One deterministic finding computed from the ledger, with the figures behind it.</summary>
public sealed record InsightFinding(FindingKind Kind, string Title, string Detail, string Severity = "info");
