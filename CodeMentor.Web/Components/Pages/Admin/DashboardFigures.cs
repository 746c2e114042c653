using System.Text.Json.Serialization;
using CodeMentor.Core.Usage;

namespace CodeMentor.Web.Components.Pages.Admin;

/// <summary>Everything the dashboard reads for a period, as one value: what the prerendered page read is handed to the
/// page's circuit (<c>[PersistentState]</c>) instead of being read again a moment later.</summary>
public sealed record DashboardFigures(
    UsagePeriod Range,
    int DemoUsers,
    UsageSummary Summary,
    IReadOnlyList<DailyModelCost> CostByModel,
    IReadOnlyList<DailyTokens> Tokens,
    IReadOnlyList<UsageBreakdown> Features,
    IReadOnlyList<UsageBreakdown> Users,
    IReadOnlyList<UsageBreakdown> Models,
    IReadOnlyList<LatencyBin> Latency,
    IReadOnlyList<GuardFirings> Guard,
    DateTime ReadAtUtc)
{
    /// <summary>The users the chart shows (one list, so the chart's parameter changes only with the figures).</summary>
    [JsonIgnore]
    public IReadOnlyList<UsageBreakdown> TopUsers { get; } = Users.Take(8).ToList();
}
