using CodeMentor.Core.Data;
using CodeMentor.Core.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace CodeMentor.Core.Usage;

/// <summary>A user's requests and tokens so far today, from the ledger: every call that took a permit
/// (all outcomes but a rate-limit refusal) and the tokens of calls a provider answered (not cache hits).</summary>
internal sealed class LedgerUsageToday(IDbContextFactory<AppDbContext> db) : IUsageToday
{
    public async Task<(int Requests, long Tokens)> GetAsync(string userId, DateOnly day, CancellationToken ct)
    {
        var start = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var end = start.AddDays(1);
        await using var context = await db.CreateDbContextAsync(ct);
        var rows = context.Ledger.AsNoTracking()
            .Where(e => e.UserId == userId && e.TimestampUtc >= start && e.TimestampUtc < end && e.Outcome != LedgerOutcomes.RateLimited);
        var totals = await rows.GroupBy(_ => 1)
            .Select(g => new
            {
                Requests = g.Count(),
                Tokens = g.Where(e => e.Outcome != LedgerOutcomes.Cached).Sum(e => (long)e.InputTokens + e.OutputTokens),
            })
            .SingleOrDefaultAsync(ct);
        return totals is null ? (0, 0) : (totals.Requests, totals.Tokens);
    }
}
