using System.Buffers;
using System.Text.Json;
using CodeMentor.Core.Text;
using Microsoft.Extensions.AI;

namespace CodeMentor.Core.Llm.Providers;

/// <summary>Turns the SSE <c>data:</c> payloads of one stream (chat.completion.chunk objects, as UTF-8) into
/// ChatResponseUpdates: answer text, reasoning text (kept apart from the answer), finish reason and usage.
/// One reader per stream: a reply's ~200 chunks all repeat the same id and model, which are read into strings once.</summary>
internal sealed class StreamChunkReader(ProviderEndpoint endpoint) : IDisposable
{
    /// <summary>What <see cref="Read(ReadOnlySpan{byte})"/> returns for a chunk whose text went into the update read
    /// before it (still open: not yet handed on). Never handed on itself.</summary>
    public static readonly ChatResponseUpdate Folded = new();

    /// <summary>Most characters folded into one update: a reply arriving all at once is still handed on in pieces.</summary>
    private const int MaxFoldedLength = 512;

    private string? _responseId;
    private string? _modelId;

    // The last update read, while it holds text only and has not been handed on: a text chunk of the same kind
    // (answer or reasoning) that follows it is added to it instead of becoming an update of its own.
    private ChatResponseUpdate? _open;

    // The open update's text while chunks are being folded into it: one copy at the end, not a longer string per chunk.
    // Rented from the pool at the first fold and returned when the stream is done (Dispose).
    private readonly PooledText _folding = new(MaxFoldedLength * 2);
    private bool _disposed;

    /// <summary>The update read last is about to be handed on: its text is made final, and nothing changes it after.</summary>
    public void Seal()
    {
        lock (_gate)
        {
            if (_folding.Length > 0)
            {
                switch (_open!.Contents[0])
                {
                    case TextReasoningContent thinking:
                        thinking.Text = _folding.ToString();
                        break;
                    case TextContent answer:
                        answer.Text = _folding.ToString();
                        break;
                }
                _folding.Clear();
            }
            _open = null;
        }
    }

    // The caller seals an update while the next read may already be running on another thread (the client starts
    // reading the next chunk, then hands on the update it has when that read has not finished): the fold into the
    // open update and the seal must not interleave, or a folded piece would be added to an update already handed on
    // (and lost to whoever read it), or the fold buffer read while it is written.
    private readonly Lock _gate = new();

    /// <summary>The payload that ends an OpenAI-style stream.</summary>
    public static bool IsDone(ReadOnlySpan<byte> data) => data.Trim((byte)' ').SequenceEqual("[DONE]"u8);

    public ChatResponseUpdate Read(ReadOnlySpan<byte> data)
    {
        try
        {
            return ReadTextChunk(data) ?? ReadDocument(data);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw Malformed(ex); // not JSON, or a member of the wrong type (text that is a number, a choice that is not an object)
        }
    }

    /// <summary>The common chunk — id, model, one choice's delta and finish reason — read straight from the bytes, with
    /// no document built per chunk. Null for a chunk that carries more (an error, usage): those few are read by
    /// <see cref="ReadDocument"/>.</summary>
    private ChatResponseUpdate? ReadTextChunk(ReadOnlySpan<byte> data)
    {
        var json = new Utf8JsonReader(data);
        if (!json.Read() || json.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }
        string? responseId = null, modelId = null, roleName = null, thinking = null, text = null, finishReason = null;
        var deltaIsText = true;
        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            var member = MemberOf(ref json);
            json.Read();
            switch (member)
            {
                case Member.Error:
                    return null;
                // Usage, or an error in Groq's x_groq: a chunk for the document reader. Null usage (sent with every
                // chunk by some servers) and x_groq's request id are not.
                case Member.Usage when json.TokenType != JsonTokenType.Null:
                    return null;
                case Member.XGroq when json.TokenType == JsonTokenType.StartObject:
                    while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
                    {
                        var carriesMore = MemberOf(ref json) is Member.Usage or Member.Error;
                        json.Read();
                        if (carriesMore && json.TokenType != JsonTokenType.Null)
                        {
                            return null;
                        }
                        json.Skip();
                    }
                    break;
                case Member.Id:
                    responseId = Reuse(ref json, ref _responseId);
                    break;
                case Member.Model:
                    modelId = Reuse(ref json, ref _modelId);
                    break;
                case Member.Choices when json.TokenType == JsonTokenType.StartArray:
                    if (json.Read() && json.TokenType == JsonTokenType.StartObject)
                    {
                        ReadChoice(ref json, ref roleName, ref thinking, ref text, ref finishReason, ref deltaIsText);
                    }
                    while (json.TokenType != JsonTokenType.EndArray)
                    {
                        json.Skip();
                        json.Read();
                    }
                    break;
                default:
                    json.Skip();
                    break;
            }
        }
        if (json.TokenType != JsonTokenType.EndObject || json.Read())
        {
            return null; // not one object: the document reader says why
        }
        return Compose(responseId, modelId, roleName, thinking, text, finishReason, deltaIsText, usage: null);
    }

    /// <summary>The members of a chunk the fast path reads (their names are distinct at every level).</summary>
    private enum Member { Other, Id, Model, Choices, Usage, XGroq, Error, Delta, FinishReason, Role, Reasoning, Content }

    private static Member MemberOf(ref Utf8JsonReader json) =>
        json.ValueTextEquals("content"u8) ? Member.Content
        : json.ValueTextEquals("reasoning"u8) ? Member.Reasoning
        : json.ValueTextEquals("id"u8) ? Member.Id
        : json.ValueTextEquals("model"u8) ? Member.Model
        : json.ValueTextEquals("choices"u8) ? Member.Choices
        : json.ValueTextEquals("delta"u8) ? Member.Delta
        : json.ValueTextEquals("finish_reason"u8) ? Member.FinishReason
        : json.ValueTextEquals("role"u8) ? Member.Role
        : json.ValueTextEquals("usage"u8) ? Member.Usage
        : json.ValueTextEquals("x_groq"u8) ? Member.XGroq
        : json.ValueTextEquals("error"u8) ? Member.Error
        : Member.Other;

    /// <summary>Reads the first choice (the reader is on its start) up to its end.</summary>
    private static void ReadChoice(ref Utf8JsonReader json, ref string? roleName, ref string? thinking, ref string? text,
        ref string? finishReason, ref bool deltaIsText)
    {
        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            var member = MemberOf(ref json);
            json.Read();
            if (member == Member.Delta && json.TokenType == JsonTokenType.StartObject)
            {
                while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
                {
                    var field = MemberOf(ref json);
                    json.Read();
                    switch (field)
                    {
                        case Member.Role:
                            roleName = json.GetString();
                            break;
                        case Member.Reasoning:
                            thinking = json.GetString() is { Length: > 0 } t ? t : null;
                            break;
                        case Member.Content:
                            text = json.GetString() is { Length: > 0 } c ? c : null;
                            break;
                        default:
                            deltaIsText = false;
                            json.Skip();
                            break;
                    }
                }
            }
            else if (member == Member.FinishReason)
            {
                finishReason = json.GetString();
            }
            else
            {
                json.Skip();
            }
        }
        json.Read(); // past the choice
    }

    /// <summary>Any chunk, through a parsed document (also what the fast path is tested against).</summary>
    internal ChatResponseUpdate ReadDocument(ReadOnlySpan<byte> data)
    {
        // The payload is only valid during the parser's callback: parse a pooled copy (no allocation per chunk).
        var buffer = ArrayPool<byte>.Shared.Rent(data.Length);
        try
        {
            data.CopyTo(buffer);
            using var doc = JsonDocument.Parse(buffer.AsMemory(0, data.Length));
            return Read(doc.RootElement);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private ChatResponseUpdate Read(JsonElement root)
    {

        if (root.TryGetProperty("error", out var streamError))
        {
            throw StreamFailure(streamError.ValueKind == JsonValueKind.Object && streamError.TryGetProperty("message", out var m)
                ? m.GetString() : streamError.ToString());
        }

        JsonElement xGroq = default;
        var hasXGroq = root.TryGetProperty("x_groq", out xGroq) && xGroq.ValueKind == JsonValueKind.Object;
        if (hasXGroq && xGroq.TryGetProperty("error", out var groqError) && groqError.ValueKind != JsonValueKind.Null)
        {
            throw StreamFailure(groqError.ValueKind == JsonValueKind.String ? groqError.GetString() : groqError.ToString());
        }

        // The chunk's parts, read once: whether it is folded into the open update or becomes an update of its own.
        var responseId = root.TryGetProperty("id", out var id) ? Reuse(id, ref _responseId) : null;
        var modelId = root.TryGetProperty("model", out var model) ? Reuse(model, ref _modelId) : null;
        string? roleName = null, thinking = null, text = null, finishReason = null;
        var deltaIsText = true; // the delta holds nothing but answer or reasoning text (no tool calls, no provider fields)
        if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0)
        {
            var choice = choices[0];
            if (choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in delta.EnumerateObject())
                {
                    if (property.NameEquals("role"u8))
                    {
                        roleName = property.Value.GetString();
                    }
                    else if (property.NameEquals("reasoning"u8))
                    {
                        thinking = property.Value.GetString() is { Length: > 0 } t ? t : null;
                    }
                    else if (property.NameEquals("content"u8))
                    {
                        text = property.Value.GetString() is { Length: > 0 } t ? t : null;
                    }
                    else
                    {
                        deltaIsText = false;
                    }
                }
            }
            if (choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("finish_reason", out var finish))
            {
                finishReason = finish.GetString();
            }
        }

        // Groq puts usage in the final chunk's "usage", in "x_groq.usage", or both.
        JsonElement usage = default;
        var hasUsage = (root.TryGetProperty("usage", out usage) && usage.ValueKind == JsonValueKind.Object)
            || (hasXGroq && xGroq.TryGetProperty("usage", out usage) && usage.ValueKind == JsonValueKind.Object);
        return Compose(responseId, modelId, roleName, thinking, text, finishReason, deltaIsText, hasUsage ? ReadUsage(usage) : null);
    }

    /// <summary>A chunk's parts, read once, folded into the open update or made an update of their own.</summary>
    private ChatResponseUpdate Compose(string? responseId, string? modelId, string? roleName, string? thinking, string? text,
        string? finishReason, bool deltaIsText, UsageDetails? usage)
    {
        var hasUsage = usage is not null;

        // One kind of text and nothing else: added to the open update when that holds the same kind from the same
        // response and model and has room.
        var textOnly = deltaIsText && roleName is null && finishReason is null && !hasUsage && (text is null) != (thinking is null);
        lock (_gate)
        {
            if (textOnly && _open is { } open && open.ResponseId == responseId && open.ModelId == modelId
                && TryAppend(open.Contents[0], text ?? thinking!, isReasoning: thinking is not null))
            {
                return Folded;
            }
            Seal(); // the open update, if any, is complete: a chunk that cannot be folded into it follows
            var update = NewUpdate(responseId, modelId, roleName, thinking, text, finishReason, usage);
            _open = textOnly ? update : null;
            return update;
        }
    }

    private static ChatResponseUpdate NewUpdate(string? responseId, string? modelId, string? roleName, string? thinking, string? text,
        string? finishReason, UsageDetails? usage)
    {
        var update = new ChatResponseUpdate { ResponseId = responseId, ModelId = modelId };
        if (roleName is not null)
        {
            update.Role = new ChatRole(roleName);
        }
        if (thinking is not null)
        {
            update.Contents.Add(new TextReasoningContent(thinking));
        }
        if (text is not null)
        {
            update.Contents.Add(new TextContent(text));
        }
        if (finishReason is not null)
        {
            update.FinishReason = new ChatFinishReason(finishReason);
        }
        if (usage is not null)
        {
            update.Contents.Add(new UsageContent(usage));
        }
        return update;
    }

    private bool TryAppend(AIContent open, string piece, bool isReasoning)
    {
        var first = open switch
        {
            TextReasoningContent thinking when isReasoning => thinking.Text,
            TextContent answer when !isReasoning => answer.Text,
            _ => null,
        };
        // Once disposed (the caller stopped while a read was still running), nothing is folded into a returned buffer.
        if (first is null || _disposed || (_folding.Length == 0 ? first.Length : _folding.Length) >= MaxFoldedLength)
        {
            return false;
        }
        if (_folding.Length == 0)
        {
            _folding.Append(first);
        }
        _folding.Append(piece);
        return true;
    }

    /// <summary>Returns the fold buffer to the pool. Taken under the same lock as a fold: a read still running on
    /// another thread when the caller stops never writes into a buffer that is back in the pool.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _folding.Dispose();
        }
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

    /// <summary>The string read last time when the value is the same text, else the value read anew.</summary>
    private static string? Reuse(JsonElement value, ref string? last)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return null;
        }
        if (last is null || !value.ValueEquals(last))
        {
            last = value.GetString();
        }
        return last;
    }

    private static string? Reuse(ref Utf8JsonReader value, ref string? last)
    {
        if (value.TokenType != JsonTokenType.String)
        {
            value.Skip();
            return null;
        }
        if (last is null || !value.ValueTextEquals(last))
        {
            last = value.GetString();
        }
        return last;
    }

    private static long? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : null;

    private LlmException Malformed(Exception ex) =>
        new(LlmFailureCategory.StreamInterrupted, $"{endpoint.DisplayName} sent a malformed chunk.", endpoint.Name, inner: ex);

    private LlmException StreamFailure(string? reason) =>
        new(LlmFailureCategory.StreamInterrupted,
            $"{endpoint.DisplayName} stopped the reply with an error: {Shorten(reason)}.",
            endpoint.Name);

    private static string Shorten(string? text) =>
        string.IsNullOrWhiteSpace(text) ? "no reason given" : text.Length > 300 ? text[..300] + "…" : text;
}
