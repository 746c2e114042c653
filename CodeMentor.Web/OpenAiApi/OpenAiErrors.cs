using System.Globalization;
using System.Net;
using CodeMentor.Core.Llm;

namespace CodeMentor.Web.OpenAiApi;

/// <summary>Errors in OpenAI's shape, {"error": {"message", "type", "param", "code"}}, with its
/// status codes, so OpenAI's SDKs raise their usual exceptions.</summary>
internal static class OpenAiErrors
{
    public static object Body(string message, string type, string? code, string? param = null) =>
        new { error = new { message, type, param, code } };

    public static Task WriteAsync(HttpContext context, int status, string message, string type, string? code, string? param = null)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(Body(message, type, code, param), context.RequestAborted);
    }

    /// <summary>A failed model call: the learner-facing message (never a key or a raw request) and
    /// the status a client should act on. A provider refusing CodeMentor's own key is the server's
    /// problem (503), never the caller's 401.</summary>
    public static (int Status, string Type, string Code) Classify(LlmException ex) => ex.Category switch
    {
        LlmFailureCategory.QuotaExceeded => (429, "requests", "rate_limit_exceeded"),
        LlmFailureCategory.CourseBudgetUsed => (429, "tokens", "course_budget_exceeded"),
        LlmFailureCategory.RateLimited => (429, "requests", "rate_limit_exceeded"),
        LlmFailureCategory.ContextTooLarge or LlmFailureCategory.RequestTooLarge => (400, "invalid_request_error", "context_length_exceeded"),
        LlmFailureCategory.BadRequest or LlmFailureCategory.Unprocessable => (400, "invalid_request_error", "invalid_request"),
        LlmFailureCategory.Timeout => (504, "server_error", "timeout"),
        LlmFailureCategory.CourseClosed => (403, "permission_error", "course_tutor_off"),
        LlmFailureCategory.Disabled or LlmFailureCategory.CircuitOpen or LlmFailureCategory.QuotaUnavailable or LlmFailureCategory.Unauthorized
            or LlmFailureCategory.Forbidden or LlmFailureCategory.ModelNotFound => (503, "server_error", "service_unavailable"),
        _ => (502, "server_error", "upstream_error"),
    };

    public static Task WriteAsync(HttpContext context, LlmException ex)
    {
        var (status, type, code) = Classify(ex);
        if (ex.RetryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
        return WriteAsync(context, status, ex.Message, type, code);
    }
}
