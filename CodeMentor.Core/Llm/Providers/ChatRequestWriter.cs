using System.Text.Json;
using CommunityToolkit.HighPerformance.Buffers;
using Microsoft.Extensions.AI;

namespace CodeMentor.Core.Llm.Providers;

/// <summary>Writes the JSON body of a streaming chat completion request. Only fields Groq accepts
/// are written: never messages[].name, logprobs or n.</summary>
internal static class ChatRequestWriter
{
    public static RequestBodyContent Write(ProviderEndpoint endpoint, string model, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        // One buffer, written in place and sent as is (a stream, then a copy of it, cost the body three times over),
        // sized for the whole body at once (grown by doubling, it cost the body about three times over again), and
        // rented: the content returns it to the pool when the request is done with it.
        var prompt = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var buffer = new ArrayPoolBufferWriter<byte>(Capacity(model, prompt));
        try
        {
            WriteBody(buffer, endpoint, model, prompt, options);
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
        return new RequestBodyContent(buffer);
    }

    private static void WriteBody(ArrayPoolBufferWriter<byte> buffer, ProviderEndpoint endpoint, string model, IReadOnlyList<ChatMessage> prompt, ChatOptions? options)
    {
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", model);
            json.WriteStartArray("messages");
            foreach (var message in prompt)
            {
                json.WriteStartObject();
                json.WriteString("role", RoleName(message.Role));
                json.WritePropertyName("content");
                WriteText(json, message.Text);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteBoolean("stream", true);
            json.WriteStartObject("stream_options");
            json.WriteBoolean("include_usage", true);
            json.WriteEndObject();

            if (options?.Temperature is { } temperature)
            {
                json.WriteNumber("temperature", Math.Round(temperature, 3));
            }
            if (options?.MaxOutputTokens is { } maxTokens)
            {
                json.WriteNumber("max_completion_tokens", maxTokens);
            }
            if (options?.Seed is { } seed)
            {
                json.WriteNumber("seed", seed);
            }
            if (options?.StopSequences is { Count: > 0 } stops)
            {
                json.WriteStartArray("stop");
                foreach (var stop in stops.Take(4))
                {
                    json.WriteStringValue(stop);
                }
                json.WriteEndArray();
            }
            if (options?.ResponseFormat is ChatResponseFormatJson)
            {
                json.WriteStartObject("response_format");
                json.WriteString("type", "json_object");
                json.WriteEndObject();
            }

            WriteReasoning(json, endpoint, model, options?.Reasoning);
            json.WriteEndObject();
        }
    }

    /// <summary>Characters of a message's text written at a time. Before it writes a string, the JSON writer asks the
    /// buffer for room for the string fully escaped (six bytes a character): written whole, a long system prompt or
    /// pasted file made the body's buffer several times the body.</summary>
    internal const int TextSegment = 512;

    private static void WriteText(Utf8JsonWriter json, string text)
    {
        if (text.Length <= TextSegment)
        {
            json.WriteStringValue(text);
            return;
        }
        var rest = text.AsSpan();
        while (rest.Length > TextSegment)
        {
            // A surrogate pair cut in two is carried over by the writer to the next segment.
            json.WriteStringValueSegment(rest[..TextSegment], isFinalSegment: false);
            rest = rest[TextSegment..];
        }
        json.WriteStringValueSegment(rest, isFinalSegment: true);
    }

    /// <summary>Room for a body of plain text (one byte a character) and, as the JSON writer asks before it writes a
    /// string or a segment of one, for the longest of those fully escaped. Text that needs more (non-ASCII, much
    /// escaping) grows the buffer.</summary>
    private static int Capacity(string model, IReadOnlyList<ChatMessage> messages)
    {
        const int PerMessage = 40; // {"role":"assistant","content":""},
        const int Options = 512;   // stream, usage, sampling and reasoning options
        const int MaxEscaping = 6; // the writer's worst case per character (\uXXXX)
        long total = model.Length + Options, longest = model.Length;
        foreach (var message in messages)
        {
            var length = message.Text.Length;
            total += length + PerMessage;
            longest = Math.Max(longest, Math.Min(length, TextSegment));
        }
        return (int)Math.Min(Array.MaxLength, total + longest * MaxEscaping);
    }

    /// <summary>gpt-oss on Groq takes reasoning_effort and include_reasoning; other providers and
    /// models would reject them, so they are only sent there.</summary>
    private static void WriteReasoning(Utf8JsonWriter json, ProviderEndpoint endpoint, string model, ReasoningOptions? reasoning)
    {
        if (!endpoint.IsGroq || !model.StartsWith("openai/gpt-oss", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }
        var effort = reasoning?.Effort switch
        {
            ReasoningEffort.Low => "low",
            ReasoningEffort.Medium => "medium",
            ReasoningEffort.High or ReasoningEffort.ExtraHigh => "high",
            _ => endpoint.ReasoningEffort,
        };
        if (!string.IsNullOrEmpty(effort))
        {
            json.WriteString("reasoning_effort", effort);
        }
        if (reasoning?.Output == ReasoningOutput.None)
        {
            json.WriteBoolean("include_reasoning", false);
        }
    }

    private static string RoleName(ChatRole role) =>
        role == ChatRole.System ? "system"
        : role == ChatRole.Assistant ? "assistant"
        : "user";
}
