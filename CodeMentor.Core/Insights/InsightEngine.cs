using System.Globalization;
using CodeMentor.Core.Usage;

namespace CodeMentor.Core.Insights;

/// <summary>
/// Turns the ledger's figures into plain-language findings: spikes against the trailing average,
/// where the money goes, what the cache saved, and what moving a feature to a cheaper model would
/// save, priced from the pricing table. Deterministic: the same figures give the same findings.
/// </summary>
public sealed class InsightEngine(UsageQueries queries, PricingTable pricing)
{
    /// <summary>A day counts as a spike when it is this many times the trailing average…</summary>
    public const double SpikeFactor = 1.5;

    /// <summary>…over this many days before it.</summary>
    public const int TrailingDays = 7;

    public async Task<IReadOnlyList<InsightFinding>> FindAsync(UsagePeriod period, CancellationToken ct = default) =>
        await FindAsync(period, await queries.SummaryAsync(period, ct), ct: ct);

    /// <param name="summary">The period's summary, when the caller (the dashboard) has already read it.</param>
    /// <param name="features">The period's per-feature rows, most expensive first, when the caller has read them.</param>
    /// <param name="users">The period's per-user rows, most expensive first, when the caller has read them.</param>
    public async Task<IReadOnlyList<InsightFinding>> FindAsync(UsagePeriod period, UsageSummary summary,
        IReadOnlyList<UsageBreakdown>? features = null, IReadOnlyList<UsageBreakdown>? users = null, CancellationToken ct = default)
    {
        var findings = new List<InsightFinding>();
        if (summary.Requests == 0)
        {
            return [new InsightFinding(FindingKind.TopFeature, "No usage yet", "There are no model calls in this period.")];
        }

        // Started together, each on its own connection: on PostgreSQL they run at once (four passes over
        // the roll-ups, ~35 ms each at 1M ledger rows); SQLite's provider completes each as it starts,
        // so there they run one after the other as before.
        var historyRead = queries.DailyTotalsAsync(new UsagePeriod(period.To.AddDays(-TrailingDays), period.To), ct);
        var featuresRead = features is null ? queries.PerFeatureAsync(period, ct) : Task.FromResult(features);
        var usersRead = users is null ? queries.PerUserAsync(period, top: 1, ct) : Task.FromResult(users);
        var whatIfRead = WhatIfAsync(period, ct);
        await Task.WhenAll(historyRead, featuresRead, usersRead, whatIfRead);

        // Spikes: the last day of the period against the days before it.
        var history = await historyRead;
        var last = history[^1];
        var before = history.Take(history.Count - 1).ToList();
        var averageCost = before.Count > 0 ? before.Average(d => d.CostUsd) : 0m;
        if (averageCost > 0 && last.CostUsd > averageCost * (decimal)SpikeFactor)
        {
            findings.Add(new InsightFinding(FindingKind.CostSpike, "Cost spike",
                $"Cost on {last.Day:yyyy-MM-dd} was {Usd(last.CostUsd)}, {last.CostUsd / averageCost:0.0}× the {TrailingDays}-day average of {Usd(averageCost)}.", "warning"));
        }
        var errorRates = before.Where(d => d.Requests - d.RateLimited > 0).Select(d => (double)d.Failed / (d.Requests - d.RateLimited)).ToList();
        var lastServed = last.Requests - last.RateLimited;
        if (lastServed > 0 && errorRates.Count > 0)
        {
            var lastRate = (double)last.Failed / lastServed;
            var averageRate = errorRates.Average();
            if (lastRate > Math.Max(0.02, averageRate * SpikeFactor))
            {
                findings.Add(new InsightFinding(FindingKind.ErrorSpike, "Error spike",
                    $"{Percent(lastRate)} of calls failed on {last.Day:yyyy-MM-dd}, against a {TrailingDays}-day average of {Percent(averageRate)}.", "warning"));
            }
        }

        var byFeature = await featuresRead;
        if (byFeature.Count > 0 && summary.CostUsd > 0 && byFeature[0].CostUsd > 0)
        {
            var top = byFeature[0];
            findings.Add(new InsightFinding(FindingKind.TopFeature, "Most expensive feature",
                $"\"{top.Label}\" cost {Usd(top.CostUsd)}, {Percent((double)(top.CostUsd / summary.CostUsd))} of the period's {Usd(summary.CostUsd)}, over {top.Requests:N0} requests."));
        }
        var byUser = await usersRead;
        if (byUser.Count > 0 && summary.CostUsd > 0 && byUser[0].CostUsd > 0)
        {
            var top = byUser[0];
            findings.Add(new InsightFinding(FindingKind.TopUser, "Most expensive user",
                $"{top.Label} cost {Usd(top.CostUsd)} ({Percent((double)(top.CostUsd / summary.CostUsd))} of the total) over {top.Requests:N0} requests."));
        }

        if (summary.CacheHits > 0)
        {
            findings.Add(new InsightFinding(FindingKind.CacheSavings, "Cache savings",
                $"The response cache answered {summary.CacheHits:N0} requests ({Percent(summary.CacheHitRate)} of those served), saving {Usd(summary.SavedUsd)}."));
        }

        findings.AddRange(await whatIfRead);

        if (summary.RateLimitRefusals > 0)
        {
            var pressure = (double)summary.RateLimitRefusals / summary.Requests;
            findings.Add(new InsightFinding(FindingKind.RateLimitPressure, "Learners hitting their limits",
                $"{summary.RateLimitRefusals:N0} requests ({Percent(pressure)}) were refused by per-user limits.", pressure > 0.05 ? "warning" : "info"));
        }
        if (summary.UnpricedRequests > 0)
        {
            findings.Add(new InsightFinding(FindingKind.Unpriced, "Calls without a price",
                $"{summary.UnpricedRequests:N0} calls used a model missing from the pricing table, so their cost is not counted. Add it under Pricing:Models.", "warning"));
        }
        return findings;
    }

    /// <summary>For each feature on a priced model: the cost had it run on the cheapest priced model instead.</summary>
    private async Task<IReadOnlyList<InsightFinding>> WhatIfAsync(UsagePeriod period, CancellationToken ct)
    {
        var cheapest = pricing.All.Where(p => p.Value.InputPerMillion + p.Value.OutputPerMillion > 0)
            .OrderBy(p => p.Value.InputPerMillion + p.Value.OutputPerMillion).Select(p => p.Key).FirstOrDefault();
        if (cheapest is null)
        {
            return [];
        }
        var cheap = pricing.Find(cheapest)!;
        var byFeatureAndModel = await queries.FeatureModelTotalsAsync(period, ct);
        var findings = new List<(decimal Saving, InsightFinding Finding)>();
        foreach (var group in byFeatureAndModel.GroupBy(r => r.Feature))
        {
            decimal current = 0, moved = 0;
            foreach (var row in group.Where(r => r.Model != cheapest && pricing.Find(r.Model) is not null))
            {
                current += row.CostUsd;
                moved += PricingTable.Cost(cheap, row.InputTokens, row.CachedInputTokens, row.OutputTokens);
            }
            var saving = current - moved;
            if (saving > 0 && current > 0)
            {
                findings.Add((saving, new InsightFinding(FindingKind.WhatIfCheaperModel, $"What if \"{group.Key}\" used {cheapest}?",
                    $"The same tokens on {cheapest} would have cost {Usd(moved)} instead of {Usd(current)}: {Usd(saving)} ({Percent((double)(saving / current))}) less. Check its answers are good enough first.")));
            }
        }
        return findings.OrderByDescending(f => f.Saving).Take(2).Select(f => f.Finding).ToList();
    }

    public static string Usd(decimal value) => Money.Format(value);

    public static string Percent(double ratio) => (ratio * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";
}
