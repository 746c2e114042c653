using CodeMentor.Core.Courses;
using CodeMentor.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CodeMentor.Core.Usage;

/// <summary>A course's tokens in a period from the ledger, counted as the budget stage counts them: calls a
/// provider answered or started answering (cache hits and refusals used none).</summary>
internal sealed class LedgerCourseUsage(IDbContextFactory<AppDbContext> db) : ICourseUsageHistory
{
    public async Task<long> TokensAsync(Guid courseId, string? userId, DateTime fromUtc, DateTime toUtc, CancellationToken ct)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var rows = context.Ledger.AsNoTracking()
            .Where(e => e.CourseId == courseId && e.TimestampUtc >= fromUtc && e.TimestampUtc < toUtc && e.Outcome != LedgerOutcomes.Cached);
        if (userId is not null)
        {
            rows = rows.Where(e => e.UserId == userId);
        }
        return await rows.SumAsync(e => (long)e.InputTokens + e.OutputTokens, ct);
    }
}
