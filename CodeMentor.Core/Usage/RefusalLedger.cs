using CodeMentor.Core.Llm;
using CodeMentor.Core.Telemetry;

namespace CodeMentor.Core.Usage;

/// <summary>
/// Records a tutoring call refused before it reached the pipeline — the pages look first, so a refused turn keeps the
/// learner's message without an empty reply — exactly as the pipeline's ledger stage records a call it refuses: a
/// rate-limited row with the refusal's category, and the refusal metric. So the dashboard, the ledger and a course's
/// week count refusals the same whether the learner asked on a page or through /v1.
/// </summary>
public sealed class RefusalLedger(LedgerWriter ledger, CodeMentorMetrics metrics, TimeProvider time)
{
    /// <summary>The categories that are refusals (counted as rate-limited), not failures.</summary>
    public static bool IsRefusal(LlmFailureCategory category) =>
        category is LlmFailureCategory.QuotaExceeded or LlmFailureCategory.CourseClosed or LlmFailureCategory.CourseBudgetUsed;

    public void Record(string userId, string feature, Guid? conversationId, Guid? courseId, LlmFailureCategory category)
    {
        ledger.Enqueue(new LedgerEntry
        {
            TimestampUtc = time.GetUtcNow().UtcDateTime, UserId = userId, ConversationId = conversationId, CourseId = courseId,
            Feature = feature, Outcome = LedgerOutcomes.RateLimited, FailureCategory = LlmException.Label(category), CostUsd = 0m,
        });
        metrics.RateLimitRefused(feature);
        metrics.CallEnded(feature, LedgerOutcomes.RateLimited, LlmException.Label(category), TimeSpan.Zero);
    }
}
