using System.Net;
using System.Text.Json;

namespace CodeMentor.Core.Llm.Providers;

/// <summary>Maps an HTTP error from a provider to an <see cref="LlmException"/> whose message
/// tells the learner (or the admin) what to do about it.</summary>
internal static class ProviderErrors
{
    public static LlmException FromResponse(ProviderEndpoint endpoint, HttpResponseMessage response, string body)
    {
        var (message, code) = ReadError(body);
        var status = response.StatusCode;
        var retryAfter = ReadRetryAfter(response);
        var name = endpoint.DisplayName;
        var detail = string.IsNullOrWhiteSpace(message) ? "" : $" ({Shorten(message)})";

        return (int)status switch
        {
            400 => new(LlmFailureCategory.BadRequest, $"{name} refused the request as invalid{detail}.", endpoint.Name, status),
            401 => new(LlmFailureCategory.Unauthorized,
                $"{name} rejected the API key (401). Set a valid key in {endpoint.KeySetting} and restart CodeMentor.", endpoint.Name, status),
            403 => new(LlmFailureCategory.Forbidden,
                $"{name} refused access (403): the key is not allowed to use this model or endpoint{detail}.", endpoint.Name, status),
            404 => new(LlmFailureCategory.ModelNotFound,
                $"{name} does not know the model '{ModelFrom(message, endpoint)}' (404). Choose another model in the configuration.", endpoint.Name, status),
            413 => new(LlmFailureCategory.RequestTooLarge,
                $"The request is too large for {name} (413){detail}. Shorten the message or start a new conversation.", endpoint.Name, status),
            422 => new(LlmFailureCategory.Unprocessable, $"{name} could not process the request (422){detail}.", endpoint.Name, status),
            429 => new(LlmFailureCategory.RateLimited,
                $"{name} is rate limiting requests (429){RetryText(retryAfter)}.", endpoint.Name, status, retryAfter),
            408 or 409 => new(LlmFailureCategory.ServerError, $"{name} asked to retry the request ({(int)status}).", endpoint.Name, status, retryAfter),
            >= 500 => new(LlmFailureCategory.ServerError,
                $"{name} is having trouble ({(int)status}{(code is null ? "" : ", " + code)}). Try again in a moment.", endpoint.Name, status, retryAfter),
            498 => new(LlmFailureCategory.ServerError, $"{name} has no capacity right now (498). Try again in a moment.", endpoint.Name, status, retryAfter),
            _ => new(LlmFailureCategory.BadRequest, $"{name} answered HTTP {(int)status}{detail}.", endpoint.Name, status),
        };
    }

    private static (string? Message, string? Code) ReadError(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null);
        }
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                return (error.TryGetProperty("message", out var m) ? m.GetString() : null,
                        error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null);
            }
        }
        catch (JsonException)
        {
            // Not JSON: a proxy's HTML page, say. Its text is not shown to the learner.
        }
        return (null, null);
    }

    internal static TimeSpan? ReadRetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        // Some gateways send fractional seconds, which the typed header rejects.
        if (response.Headers.TryGetValues("retry-after", out var values)
            && double.TryParse(values.FirstOrDefault(), System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }
        return null;
    }

    private static string RetryText(TimeSpan? retryAfter) =>
        retryAfter is { } wait ? $"; try again in {Math.Ceiling(wait.TotalSeconds):0} s" : "; try again shortly";

    private static string ModelFrom(string? message, ProviderEndpoint endpoint) =>
        message is not null && message.Contains('`')
            ? message.Split('`')[1]
            : endpoint.DefaultModel;

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
