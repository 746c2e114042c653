using System.Text.Json;
using CodeMentor.Core.Tutoring.Api;

namespace CodeMentor.Web.OpenAiApi;

/// <summary>The parts of an OpenAI chat completions request CodeMentor uses, read by hand so that
/// every malformed field gets OpenAI's error naming that field (model binding would answer with
/// ASP.NET's problem details instead).</summary>
internal sealed record ChatCompletionRequest(string? Model, IReadOnlyList<ApiMessage> Messages, bool Stream, bool IncludeUsage,
    float? Temperature, int? MaxTokens)
{
    public static async Task<(ChatCompletionRequest? Request, (string Message, string? Param)? Error)> ReadAsync(HttpRequest http)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(http.Body, cancellationToken: http.HttpContext.RequestAborted);
        }
        catch (JsonException ex)
        {
            return (null, ($"The request body is not valid JSON ({ex.Message}).", null));
        }
        using (document)
        {
            return Read(document.RootElement);
        }
    }

    private static (ChatCompletionRequest?, (string, string?)?) Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, ("The request body must be a JSON object.", null));
        }
        string? model = null;
        if (root.TryGetProperty("model", out var modelElement))
        {
            if (modelElement.ValueKind != JsonValueKind.String)
            {
                return (null, ("'model' must be a string.", "model"));
            }
            model = modelElement.GetString();
        }
        if (!root.TryGetProperty("messages", out var messagesElement) || messagesElement.ValueKind != JsonValueKind.Array)
        {
            return (null, ("'messages' is required: an array of {role, content}.", "messages"));
        }
        var messages = new List<ApiMessage>();
        var index = 0;
        foreach (var item in messagesElement.EnumerateArray())
        {
            var at = $"messages[{index++}]";
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
            {
                return (null, ($"{at} must be an object with a string 'role'.", at));
            }
            var (text, error) = Content(item, at);
            if (error is not null)
            {
                return (null, (error, at + ".content"));
            }
            messages.Add(new ApiMessage(role.GetString()!, text));
        }
        var stream = false;
        if (root.TryGetProperty("stream", out var streamElement) && streamElement.ValueKind != JsonValueKind.Null)
        {
            if (streamElement.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return (null, ("'stream' must be true or false.", "stream"));
            }
            stream = streamElement.GetBoolean();
        }
        var includeUsage = root.TryGetProperty("stream_options", out var streamOptions) && streamOptions.ValueKind == JsonValueKind.Object
            && streamOptions.TryGetProperty("include_usage", out var usage) && usage.ValueKind == JsonValueKind.True;
        if (root.TryGetProperty("n", out var n) && n.ValueKind != JsonValueKind.Null && !(n.TryGetInt32(out var count) && count == 1))
        {
            return (null, ("Only one choice per request is offered: leave 'n' out or set it to 1.", "n"));
        }
        float? temperature = null;
        if (root.TryGetProperty("temperature", out var t) && t.ValueKind != JsonValueKind.Null)
        {
            if (!t.TryGetDouble(out var value) || value is < 0 or > 2)
            {
                return (null, ("'temperature' must be a number from 0 to 2.", "temperature"));
            }
            temperature = (float)value;
        }
        int? maxTokens = null;
        foreach (var name in new[] { "max_completion_tokens", "max_tokens" })
        {
            if (root.TryGetProperty(name, out var max) && max.ValueKind != JsonValueKind.Null)
            {
                if (!max.TryGetInt32(out var value) || value < 1)
                {
                    return (null, ($"'{name}' must be a whole number of at least 1.", name));
                }
                maxTokens ??= value;
            }
        }
        return (new ChatCompletionRequest(model, messages, stream, includeUsage, temperature, maxTokens), null);
    }

    /// <summary>Text content: a string, null, or text parts; anything else (images, audio) is refused.</summary>
    private static (string Text, string? Error) Content(JsonElement message, string at)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            return ("", null);
        }
        if (content.ValueKind == JsonValueKind.String)
        {
            return (content.GetString()!, null);
        }
        if (content.ValueKind != JsonValueKind.Array)
        {
            return ("", $"{at}.content must be a string or an array of text parts.");
        }
        var text = new System.Text.StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.GetString() != "text"
                || !part.TryGetProperty("text", out var value) || value.ValueKind != JsonValueKind.String)
            {
                return ("", $"{at}.content: only text parts ({{\"type\": \"text\", \"text\": …}}) are accepted; the tutor reads no images or audio.");
            }
            text.Append(value.GetString());
        }
        return (text.ToString(), null);
    }
}
