using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using CodeMentor.Core.Llm;
using CodeMentor.Core.Llm.Routing;
using CodeMentor.Core.Usage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;

namespace CodeMentor.Core.Insights;

/// <summary>The insights panel's content: the deterministic findings always, and an AI-written
/// summary of them when the model could write one that uses only the given figures.</summary>
public sealed record ExecutiveSummary(IReadOnlyList<InsightFinding> Findings, string? AiText, string? AiUnavailableReason, DateTime GeneratedAtUtc);

/// <summary>
/// Asks the model (feature "insight", so it is routed, limited and recorded in the ledger like any
/// call) to summarise the findings and figures it is given, and nothing else. A summary quoting a
/// number that is not in its input is not shown. Cached per period.
/// </summary>
public sealed partial class ExecutiveSummaryService(IChatClient pipeline, InsightEngine engine, UsageQueries queries, HybridCache cache, TimeProvider time)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(15);

    public async Task<ExecutiveSummary> GetAsync(UsagePeriod period, string adminUserId, bool refresh = false, CancellationToken ct = default) =>
        await GetAsync(period, await queries.SummaryAsync(period, ct), adminUserId, refresh, ct: ct);

    /// <param name="summary">The period's summary, read once by the caller: the findings and the prompt's figures use it.</param>
    /// <param name="features">The period's per-feature rows, when the caller has read them (see <see cref="InsightEngine.FindAsync(UsagePeriod, UsageSummary, IReadOnlyList{UsageBreakdown}?, IReadOnlyList{UsageBreakdown}?, CancellationToken)"/>).</param>
    /// <param name="users">The period's per-user rows, when the caller has read them.</param>
    public async Task<ExecutiveSummary> GetAsync(UsagePeriod period, UsageSummary summary, string adminUserId, bool refresh = false,
        IReadOnlyList<UsageBreakdown>? features = null, IReadOnlyList<UsageBreakdown>? users = null, CancellationToken ct = default)
    {
        var findings = await engine.FindAsync(period, summary, features, users, ct);
        var key = $"codementor:insight:{period.From:yyyyMMdd}-{period.To:yyyyMMdd}";
        if (refresh)
        {
            await cache.RemoveAsync(key, ct);
        }
        try
        {
            var text = await cache.GetOrCreateAsync(key, async token => await WriteAsync(period, summary, findings, adminUserId, token),
                new HybridCacheEntryOptions { Expiration = CacheFor, LocalCacheExpiration = CacheFor }, cancellationToken: ct);
            return new ExecutiveSummary(findings, text, null, time.GetUtcNow().UtcDateTime);
        }
        catch (LlmException ex)
        {
            return new ExecutiveSummary(findings, null, ex.Message, time.GetUtcNow().UtcDateTime);
        }
    }

    private async Task<string> WriteAsync(UsagePeriod period, UsageSummary summary, IReadOnlyList<InsightFinding> findings, string adminUserId,
        CancellationToken ct)
    {
        var data = JsonSerializer.Serialize(new
        {
            period = new { from = period.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to = period.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) },
            figures = new
            {
                requests = summary.Requests,
                active_users = summary.ActiveUsers,
                cost_usd = InsightEngine.Usd(summary.CostUsd),
                cache_hit_rate = InsightEngine.Percent(summary.CacheHitRate),
                cache_saved_usd = InsightEngine.Usd(summary.SavedUsd),
                error_rate = InsightEngine.Percent(summary.ErrorRate),
                rate_limit_refusals = summary.RateLimitRefusals,
                latency_p95_ms = summary.LatencyP95Ms,
            },
            findings = findings.Select(f => new { f.Title, f.Detail }),
        });
        return await WriteFromFiguresAsync(pipeline, """
            You write a short executive summary (at most 5 sentences, plain prose, no headings) of an AI coding tutor's usage and cost
            for the person who pays for it. Use ONLY the figures and findings in the JSON the user sends. Do not compute, estimate,
            round differently or invent any other number. If something is not in the data, do not mention it. Recommend at most two actions.
            """, data, adminUserId, ct);
    }

    /// <summary>Asks the model to write <paramref name="data"/> up as <paramref name="system"/> says, and refuses (with the
    /// reason, as an <see cref="LlmException"/>) a text that is empty or quotes a number not in the data.</summary>
    internal static async Task<string> WriteFromFiguresAsync(IChatClient pipeline, string system, string data, string userId, CancellationToken ct)
    {
        var options = new ChatOptions { Temperature = 0.2f, MaxOutputTokens = 400 }
            .WithRequestContext(new LlmRequestContext(userId, Features.Insight));
        var response = await pipeline.GetResponseAsync([new(ChatRole.System, system), new(ChatRole.User, data)], options, ct);
        var text = response.Text.Trim();
        if (text.Length == 0)
        {
            throw new LlmException(LlmFailureCategory.BadRequest, "The model returned an empty summary.");
        }
        if (NumbersNotIn(text, data) is { Count: > 0 } invented)
        {
            throw new LlmException(LlmFailureCategory.Unprocessable,
                $"The AI summary quoted figures that are not in the data ({string.Join(", ", invented.Take(3))}), so it is not shown.");
        }
        return text;
    }

    /// <summary>Numbers in the text (ignoring "$", "," and "%") that do not occur in the data.</summary>
    public static IReadOnlyList<string> NumbersNotIn(string text, string data)
    {
        var allowed = Number().Matches(data).Select(m => Normalize(m.Value)).ToHashSet();
        return Number().Matches(text).Select(m => m.Value)
            .Where(n => !allowed.Contains(Normalize(n)) && !IsSmallOrdinal(n))
            .Distinct().ToList();
    }

    // "two actions", "5 sentences", list numbering: single digits are words, not figures.
    private static bool IsSmallOrdinal(string number) => number.Length == 1;

    private static string Normalize(string number) => number.Replace(",", "").TrimEnd('.').TrimStart('0') is { Length: > 0 } n ? n : "0";

    [GeneratedRegex(@"\d[\d,]*(?:\.\d+)?")]
    private static partial Regex Number();
}
