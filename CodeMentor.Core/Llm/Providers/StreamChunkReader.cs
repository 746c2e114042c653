using System.Text.Json;
using Microsoft.Extensions.AI;

namespace CodeMentor.Core.Llm.Providers;

/// <summary>Turns one SSE <c>data:</c> payload (a chat.completion.chunk) into a ChatResponseUpdate:
/// answer text, reasoning text (kept apart from the answer), finish reason and usage.</summary>
internal static class StreamChunkReader
{
    public static ChatResponseUpdate? Read(ReadOnlySpan<char> data, ProviderEndpoint endpoint)
    {
        using var doc = ParseOrThrow(data, endpoint);
        var root = doc.RootElement;

        if (root.TryGetProperty("error", out var streamError))
        {
            throw StreamFailure(endpoint, streamError.ValueKind == JsonValueKind.Object && streamError.TryGetProperty("message", out var m)
                ? m.GetString() : streamError.ToString());
        }

        JsonElement xGroq = default;
        var hasXGroq = root.TryGetProperty("x_groq", out xGroq) && xGroq.ValueKind == JsonValueKind.Object;
        if (hasXGroq && xGroq.TryGetProperty("error", out var groqError) && groqError.ValueKind != JsonValueKind.Null)
        {
            throw StreamFailure(endpoint, groqError.ValueKind == JsonValueKind.String ? groqError.GetString() : groqError.ToString());
        }

        var update = new ChatResponseUpdate
        {
            ResponseId = root.TryGetProperty("id", out var id) ? id.GetString() : null,
            ModelId = root.TryGetProperty("model", out var model) ? model.GetString() : null,
        };

        if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0)
        {
            var choice = choices[0];
            if (choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
            {
                if (delta.TryGetProperty("role", out var role) && role.GetString() is { } roleName)
                {
                    update.Role = new ChatRole(roleName);
                }
                if (delta.TryGetProperty("reasoning", out var reasoning) && reasoning.GetString() is { Length: > 0 } thinking)
                {
                    update.Contents.Add(new TextReasoningContent(thinking));
                }
                if (delta.TryGetProperty("content", out var content) && content.GetString() is { Length: > 0 } text)
                {
                    update.Contents.Add(new TextContent(text));
                }
            }
            if (choice.TryGetProperty("finish_reason", out var finish) && finish.GetString() is { } reason)
            {
                update.FinishReason = new ChatFinishReason(reason);
            }
        }

        // Groq puts usage in the final chunk's "usage", in "x_groq.usage", or both.
        JsonElement usage = default;
        var hasUsage = (root.TryGetProperty("usage", out usage) && usage.ValueKind == JsonValueKind.Object)
            || (hasXGroq && xGroq.TryGetProperty("usage", out usage) && usage.ValueKind == JsonValueKind.Object);
        if (hasUsage)
        {
            update.Contents.Add(new UsageContent(ReadUsage(usage)));
        }

        return update;
    }

    internal static UsageDetails ReadUsage(JsonElement usage)
    {
        var details = new UsageDetails
        {
            InputTokenCount = Int(usage, "prompt_tokens"),
            OutputTokenCount = Int(usage, "completion_tokens"),
            TotalTokenCount = Int(usage, "total_tokens"),
        };
        if (usage.TryGetProperty("prompt_tokens_details", out var prompt) && prompt.ValueKind == JsonValueKind.Object)
        {
            details.CachedInputTokenCount = Int(prompt, "cached_tokens");
        }
        if (usage.TryGetProperty("completion_tokens_details", out var completion) && completion.ValueKind == JsonValueKind.Object)
        {
            details.ReasoningTokenCount = Int(completion, "reasoning_tokens");
        }
        return details;
    }

    private static long? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : null;

    private static JsonDocument ParseOrThrow(ReadOnlySpan<char> data, ProviderEndpoint endpoint)
    {
        try
        {
            return JsonDocument.Parse(data.ToString());
        }
        catch (JsonException ex)
        {
            throw new LlmException(LlmFailureCategory.StreamInterrupted,
                $"{endpoint.DisplayName} sent a malformed chunk.",
                endpoint.Name, inner: ex);
        }
    }

    private static LlmException StreamFailure(ProviderEndpoint endpoint, string? reason) =>
        new(LlmFailureCategory.StreamInterrupted,
            $"{endpoint.DisplayName} stopped the reply with an error: {Shorten(reason)}.",
            endpoint.Name);

    private static string Shorten(string? text) =>
        string.IsNullOrWhiteSpace(text) ? "no reason given" : text.Length > 300 ? text[..300] + "…" : text;
}
