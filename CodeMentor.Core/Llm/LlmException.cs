using System.Net;

namespace CodeMentor.Core.Llm;

/// <summary>Why a model call failed, in the categories the UI, the retry policy and the ledger use.</summary>
public enum LlmFailureCategory
{
    BadRequest,
    Unauthorized,
    Forbidden,
    ModelNotFound,
    RequestTooLarge,
    Unprocessable,
    RateLimited,
    ServerError,
    Timeout,
    Network,
    StreamInterrupted,
    Disabled,
    ContextTooLarge,

    /// <summary>The learner's own request quota (per minute, per day, tokens per day) is used up.</summary>
    QuotaExceeded,

    /// <summary>The provider failed for many requests in a row, so calls to it are paused (circuit breaker).</summary>
    CircuitOpen,

    /// <summary>The learner's quota cannot be checked: the store every node counts in (Redis) does not answer.</summary>
    QuotaUnavailable,

    /// <summary>The learner's course has the tutor off (its teacher's policy, or an exam window).</summary>
    CourseClosed,

    /// <summary>The learner's course has used its token budget for the period, or the learner their share of it.</summary>
    CourseBudgetUsed,
}

/// <summary>A model call that failed, with a message written for the learner. The message never
/// contains the API key or the raw request.</summary>
public sealed class LlmException : Exception
{
    public LlmException(LlmFailureCategory category, string userMessage, string? provider = null,
        HttpStatusCode? statusCode = null, TimeSpan? retryAfter = null, Exception? inner = null)
        : base(userMessage, inner)
    {
        Category = category;
        Provider = provider;
        StatusCode = statusCode;
        RetryAfter = retryAfter;
    }

    public LlmFailureCategory Category { get; }
    public string? Provider { get; }
    public HttpStatusCode? StatusCode { get; }
    public TimeSpan? RetryAfter { get; }

    /// <summary>What an administrator needs (an internal address, the underlying error); never shown to learners.</summary>
    public string? AdminDetail { get; init; }

    /// <summary>True for failures another attempt may fix (408, 409, 429, 5xx, timeouts, dropped connections).</summary>
    public bool IsTransient => Category is LlmFailureCategory.RateLimited or LlmFailureCategory.ServerError
        or LlmFailureCategory.Timeout or LlmFailureCategory.Network or LlmFailureCategory.StreamInterrupted;

    /// <summary>Short label for statuses and the ledger, e.g. "unauthorized".</summary>
    public string CategoryLabel => Label(Category);

    /// <summary>A category's label, as <see cref="CategoryLabel"/> gives it (also for refusals made before any call).</summary>
    public static string Label(LlmFailureCategory category) => category switch
    {
        LlmFailureCategory.BadRequest => "bad-request",
        LlmFailureCategory.Unauthorized => "unauthorized",
        LlmFailureCategory.Forbidden => "forbidden",
        LlmFailureCategory.ModelNotFound => "model-not-found",
        LlmFailureCategory.RequestTooLarge => "too-large",
        LlmFailureCategory.Unprocessable => "unprocessable",
        LlmFailureCategory.RateLimited => "rate-limited",
        LlmFailureCategory.ServerError => "server-error",
        LlmFailureCategory.Timeout => "timeout",
        LlmFailureCategory.Network => "network",
        LlmFailureCategory.StreamInterrupted => "interrupted",
        LlmFailureCategory.Disabled => "disabled",
        LlmFailureCategory.ContextTooLarge => "context-too-large",
        LlmFailureCategory.QuotaExceeded => "quota",
        LlmFailureCategory.CircuitOpen => "circuit-open",
        LlmFailureCategory.QuotaUnavailable => "quota-unavailable",
        LlmFailureCategory.CourseClosed => "course-closed",
        LlmFailureCategory.CourseBudgetUsed => "course-budget",
        _ => "unknown",
    };
}
