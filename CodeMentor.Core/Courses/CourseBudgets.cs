using System.Globalization;
using CodeMentor.Core.RateLimiting;

namespace CodeMentor.Core.Courses;

/// <summary>Where a course's budgets stand for one learner in the current period.</summary>
public sealed record CourseBudgetStatus(BudgetPeriod Period, long? CourseLimit, long CourseUsed,
    long? LearnerLimit, long LearnerUsed, DateTime RenewsAtUtc)
{
    public long? CourseLeft => CourseLimit is { } limit ? Math.Max(0, limit - CourseUsed) : null;
    public long? LearnerLeft => LearnerLimit is { } limit ? Math.Max(0, limit - LearnerUsed) : null;

    /// <summary>What the learner can still use: the smaller of the two that apply.</summary>
    public long? Left => (CourseLeft, LearnerLeft) switch
    {
        ({ } course, { } mine) => Math.Min(course, mine),
        (var course, var mine) => course ?? mine,
    };
}

/// <summary>A course's tokens in a period from the ledger: the whole course, or one learner in it.</summary>
public interface ICourseUsageHistory
{
    Task<long> TokensAsync(Guid courseId, string? userId, DateTime fromUtc, DateTime toUtc, CancellationToken ct);
}

/// <summary>
/// A course's token budgets (the whole course, and each learner in it, per day, week or month), counted
/// by the same <see cref="IQuotaCounters"/> as each user's own limits — in this process, or in Redis
/// shared by every node — and started from the ledger, so a restart does not hand out a fresh budget.
/// What a refusal says is decided here, once, for the pipeline and for the chat's preflight alike.
/// </summary>
public sealed class CourseBudgets(IQuotaCounters counters, ICourseUsageHistory history, TimeProvider time)
{
    /// <summary>Looks without taking: may the learner make a tutoring call in this course now?</summary>
    public async ValueTask<QuotaDecision> CheckAsync(string userId, CoursePolicy course, CancellationToken ct = default)
    {
        if (await StatusAsync(userId, course, ct) is not { } status)
        {
            return QuotaDecision.Allow;
        }
        var wait = status.RenewsAtUtc - time.GetUtcNow().UtcDateTime;
        var renews = $"It renews {status.RenewsAtUtc.ToString("ddd d MMM HH:mm", CultureInfo.InvariantCulture)} UTC, in {UserRateLimiter.Format(wait)}; your message is saved.";
        if (status.CourseLeft == 0)
        {
            return new QuotaDecision(false, wait,
                $"Your course \"{course.CourseName}\" has used its budget of {CourseBudget.Tokens(status.CourseLimit!.Value)} {CourseBudget.Describe(status.Period)}. {renews}");
        }
        if (status.LearnerLeft == 0)
        {
            return new QuotaDecision(false, wait,
                $"You have used your {CourseBudget.Tokens(status.LearnerLimit!.Value)} {CourseBudget.Describe(status.Period)} in the course \"{course.CourseName}\". {renews}");
        }
        return QuotaDecision.Allow;
    }

    /// <summary>The course's budgets for the learner this period; null when the course has none.</summary>
    public async ValueTask<CourseBudgetStatus?> StatusAsync(string userId, CoursePolicy course, CancellationToken ct = default)
    {
        if (course.Budget is not { Limits: true } budget)
        {
            return null;
        }
        var (start, end) = budget.PeriodAt(time.GetUtcNow().UtcDateTime);
        var courseUsed = budget.CourseTokens is null ? 0 : await UsedAsync(course.CourseId, null, budget.Period, start, end, ct);
        var learnerUsed = budget.LearnerTokens is null ? 0 : await UsedAsync(course.CourseId, userId, budget.Period, start, end, ct);
        return new CourseBudgetStatus(budget.Period, budget.CourseTokens, courseUsed, budget.LearnerTokens, learnerUsed, end);
    }

    /// <summary>Tokens the course used this period: all of it and each of <paramref name="learnerIds"/>, for its teacher.</summary>
    public async Task<(long Course, IReadOnlyDictionary<string, long> Learners, DateTime RenewsAtUtc)> UsageAsync(
        Guid courseId, BudgetPeriod period, IEnumerable<string> learnerIds, CancellationToken ct = default)
    {
        var (start, end) = new CourseBudget(period, null, null).PeriodAt(time.GetUtcNow().UtcDateTime);
        var total = await UsedAsync(courseId, null, period, start, end, ct);
        var learners = new Dictionary<string, long>();
        foreach (var learnerId in learnerIds)
        {
            learners[learnerId] = await UsedAsync(courseId, learnerId, period, start, end, ct);
        }
        return (total, learners, end);
    }

    /// <summary>Counts a finished call's tokens against the course and the learner in it.</summary>
    public ValueTask RecordAsync(string userId, CoursePolicy course, long tokens, CancellationToken ct = default)
    {
        if (tokens <= 0 || course.Budget is not { } budget)
        {
            return ValueTask.CompletedTask;
        }
        var (start, _) = budget.PeriodAt(time.GetUtcNow().UtcDateTime);
        return counters.AddBudgetTokensAsync([Key(course.CourseId, null, budget.Period, start), Key(course.CourseId, userId, budget.Period, start)], tokens, ct);
    }

    private ValueTask<long> UsedAsync(Guid courseId, string? userId, BudgetPeriod period, DateTime start, DateTime end, CancellationToken ct) =>
        counters.BudgetUsedAsync(Key(courseId, userId, period, start), end.AddDays(1),
            token => history.TokensAsync(courseId, userId, start, end, token), ct);

    /// <summary>Names the budget and its period, so a new period (or a changed one) starts a new count.</summary>
    private static string Key(Guid courseId, string? userId, BudgetPeriod period, DateTime start) =>
        $"course:{courseId:N}:{period}:{start:yyyyMMdd}" + (userId is null ? "" : ":learner:" + userId);
}
