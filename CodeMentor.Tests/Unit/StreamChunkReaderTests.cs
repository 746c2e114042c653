using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CodeMentor.Core.Llm;
using CodeMentor.Core.Llm.Providers;
using CsCheck;
using Microsoft.Extensions.AI;

namespace CodeMentor.Tests.Unit;

/// <summary>The chunk reader reads the common chunk straight from its bytes and everything else through a parsed
/// document: on any chunk both must give the same updates, folded the same way.</summary>
public sealed class StreamChunkReaderTests
{
    private static readonly ProviderEndpoint Endpoint =
        new("groq", "Groq", new Uri("http://localhost/openai/v1"), "key", "openai/gpt-oss-20b", "GROQ_API_KEY", IsGroq: true);

    private static readonly string[] Texts =
        ["", "x", "Hello", " world", "naïve café", "line\nbreak", "quote \" and \\ back", "emoji 😀", "<b>&amp;", "日本語", "\u0000\u001f"];

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static Gen<T> OneOf<T>(params T[] choices) => Gen.Int[0, choices.Length - 1].Select(i => choices[i]);

    // A JSON string as a provider may write it: non-ASCII escaped (\u00e9) or written as UTF-8.
    private static readonly Gen<string> JsonText =
        Gen.Select(OneOf(Texts), Gen.Bool).Select((text, escaped) => escaped ? JsonSerializer.Serialize(text) : JsonSerializer.Serialize(text, Relaxed));

    private static readonly Gen<string> Separator = OneOf(",", " , ", ",\n  ");

    /// <summary>An object of the given members (null: left out), in a random order.</summary>
    private static Gen<string> Object(params Gen<string?>[] members) =>
        Gen.Select(Sequence(members), Gen.Int.Array[members.Length], Separator).Select((values, order, separator) => "{" + string.Join(separator, values.Zip(order).OrderBy(p => p.Second).Select(p => p.First).OfType<string>()) + "}");

    private static Gen<string?[]> Sequence(Gen<string?>[] members) =>
        members.Aggregate(Gen.Const(Array.Empty<string?>()), (all, next) => Gen.Select(all, next, (a, n) => (string?[])[.. a, n]));

    /// <summary>The member in <paramref name="inTen"/> of ten objects.</summary>
    private static Gen<string?> Maybe(string name, Gen<string> value, int inTen = 8) =>
        Gen.Select(Gen.Int[0, 9], value).Select((n, v) => n >= inTen ? null : $"\"{name}\":{v}");

    private static readonly Gen<string> Delta = Gen.Frequency(
        (1, Gen.Const("null")),
        (12, Object(
            Maybe("role", OneOf("\"assistant\"", "null"), inTen: 2),
            Maybe("content", Gen.Frequency((6, JsonText), (1, Gen.Const("null")))),
            Maybe("reasoning", Gen.Frequency((3, JsonText), (1, Gen.Const("null"))), inTen: 3),
            Gen.Int[0, 9].Select(n => n switch
            {
                0 => "\"channel\":\"analysis\"",
                1 => "\"tool_calls\":[{\"index\":0,\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]",
                _ => (string?)null,
            }))));

    private static readonly Gen<string> Choice = Object(
        Maybe("index", Gen.Const("0")),
        Maybe("delta", Delta),
        Maybe("finish_reason", Gen.Frequency((8, Gen.Const("null")), (1, OneOf("\"stop\"", "\"length\"")))),
        Maybe("logprobs", Gen.Const("null")));

    private static readonly Gen<string> Choices = Gen.Frequency(
        (1, Gen.Const("[]")),
        (1, Gen.Const("null")),
        (12, Choice.Select(c => $"[{c}]")),
        (1, Gen.Select(Choice, Choice).Select((a, b) => $"[{a},{b}]")),
        (1, Gen.Const("[1, {\"delta\":{\"content\":\"no\"}}]")));

    private const string Usage =
        "{\"prompt_tokens\":12,\"completion_tokens\":30,\"total_tokens\":42,\"completion_tokens_details\":{\"reasoning_tokens\":5},\"queue_time\":0.01}";

    private static readonly Gen<string> Chunk = Object(
        Maybe("id", Gen.Frequency((12, Gen.Const("\"chatcmpl-1\"")), (1, Gen.Const("\"chatcmpl-2\"")), (1, Gen.Const("null"))), inTen: 9),
        Maybe("object", Gen.Const("\"chat.completion.chunk\"")),
        Maybe("created", Gen.Const("1700000000")),
        Maybe("model", Gen.Frequency((12, Gen.Const("\"openai/gpt-oss-20b\"")), (1, Gen.Const("\"llama\""))), inTen: 9),
        Maybe("system_fingerprint", Gen.Const("\"fp_1\"")),
        Maybe("extra", Gen.Const("{\"a\":[1,{\"b\":null}],\"content\":\"not the delta\"}")),
        Maybe("usage", Gen.Frequency((6, Gen.Const("null")), (1, Gen.Const(Usage)))),
        Maybe("x_groq", Gen.Frequency((12, Gen.Const("{\"id\":\"req_1\"}")), (2, Gen.Const("{\"id\":\"req_1\",\"seed\":7,\"error\":null,\"usage\":null}")),
            (1, Gen.Const("{\"id\":\"req_1\",\"usage\":" + Usage + "}")), (1, Gen.Const("{\"error\":\"over capacity\"}")))),
        Maybe("choices", Choices, inTen: 9));

    [Fact]
    public void Reading_from_the_bytes_gives_what_the_document_gives_for_any_chunk_sequence()
    {
        Chunk.Array[1, 12].Sample(chunks =>
        {
            var fast = new StreamChunkReader(Endpoint);
            var document = new StreamChunkReader(Endpoint);
            var fromBytes = Read(chunks, c => fast.Read(c), fast);
            var fromDocument = Read(chunks, c => document.ReadDocument(c), document);
            Assert.Equal(fromDocument, fromBytes);
        });
    }

    [Fact]
    public void A_cut_or_broken_chunk_is_a_malformed_chunk_on_either_path()
    {
        Gen.Select(Chunk, Gen.Double[0, 1]).Sample((chunk, at) =>
        {
            var bytes = Encoding.UTF8.GetBytes(chunk);
            var cut = bytes[..(int)(at * (bytes.Length - 1))];
            var failure = Assert.Throws<LlmException>(() => new StreamChunkReader(Endpoint).Read(cut));
            Assert.Contains("malformed", failure.Message);
        });
        Assert.Throws<LlmException>(() => new StreamChunkReader(Endpoint).Read("{\"id\":\"a\"} trailing"u8));
        Assert.Throws<LlmException>(() => new StreamChunkReader(Endpoint).Read("{\"id\":\"a\"}{}"u8));
        // Valid JSON with a member of the wrong type, on the fast path and on the document path (usage sends it there).
        Assert.Throws<LlmException>(() => new StreamChunkReader(Endpoint).Read("{\"choices\":[{\"delta\":{\"content\":5}}]}"u8));
        Assert.Throws<LlmException>(() => new StreamChunkReader(Endpoint).Read("{\"usage\":{},\"choices\":[{\"delta\":{\"content\":5}}]}"u8));
    }

    [Fact]
    public void An_update_sealed_while_the_next_chunk_is_read_on_another_thread_never_changes_and_no_text_is_lost()
    {
        // The client seals the update it hands on while its next read may be running on an I/O thread: here one thread
        // reads chunks as fast as it can while another keeps sealing the newest update, as the client does.
        var reader = new StreamChunkReader(Endpoint);
        var pieces = Enumerable.Range(0, 30_000).Select(i => ((char)('a' + i % 26)).ToString()).ToArray();
        var chunks = pieces.Select(p => Encoding.UTF8.GetBytes($"{{\"id\":\"c\",\"model\":\"m\",\"choices\":[{{\"delta\":{{\"content\":\"{p}\"}}}}]}}")).ToArray();
        var updates = new List<ChatResponseUpdate>();
        ChatResponseUpdate? newest = null;
        var finished = false;
        var sealedAs = new List<(ChatResponseUpdate Update, string Text)>();
        Exception? consumerFailed = null;
        var consumer = new Thread(() =>
        {
            try
            {
                while (!Volatile.Read(ref finished))
                {
                    if (Volatile.Read(ref newest) is { } candidate)
                    {
                        reader.Seal();
                        sealedAs.Add((candidate, candidate.Text));
                    }
                }
            }
            catch (Exception ex)
            {
                consumerFailed = ex; // reported below, not left to crash the test run
                Volatile.Write(ref finished, true);
            }
        });
        consumer.Start();
        foreach (var chunk in chunks.TakeWhile(_ => !Volatile.Read(ref finished)))
        {
            var update = reader.Read(chunk);
            if (!ReferenceEquals(update, StreamChunkReader.Folded))
            {
                updates.Add(update);
                Volatile.Write(ref newest, update);
            }
        }
        Volatile.Write(ref finished, true);
        consumer.Join();
        reader.Seal();

        Assert.Null(consumerFailed);
        Assert.Equal(string.Concat(pieces), string.Concat(updates.Select(u => u.Text)));
        Assert.True(sealedAs.Count > 100, $"only {sealedAs.Count} seals raced the reads");
        Assert.All(sealedAs, s => Assert.Equal(s.Text, s.Update.Text));
    }

    [Fact]
    public void A_reader_disposed_mid_reply_keeps_the_text_handed_on_and_folds_nothing_more()
    {
        // The fold buffer is rented from the pool: once the stream is done (the caller stopped while a read was still
        // running), a late chunk must not be written into a buffer that is back in the pool.
        var reader = new StreamChunkReader(Endpoint);
        static byte[] Chunk(string text) => Encoding.UTF8.GetBytes($"{{\"id\":\"c\",\"model\":\"m\",\"choices\":[{{\"delta\":{{\"content\":\"{text}\"}}}}]}}");
        var open = reader.Read(Chunk("Recursion "));
        Assert.Same(StreamChunkReader.Folded, reader.Read(Chunk("is a function ")));
        Assert.Same(StreamChunkReader.Folded, reader.Read(Chunk("calling itself.")));
        reader.Seal();
        Assert.Equal("Recursion is a function calling itself.", open.Text);

        var late = reader.Read(Chunk("One "));
        reader.Dispose();
        var afterDispose = reader.Read(Chunk("more."));

        Assert.NotSame(StreamChunkReader.Folded, afterDispose);
        Assert.Equal("more.", afterDispose.Text);
        Assert.Equal("One ", late.Text);
        Assert.Equal("Recursion is a function calling itself.", open.Text);
    }

    /// <summary>What each chunk gave, as text: "folded", or the update's fields once it is sealed.</summary>
    private static List<string> Read(string[] chunks, Func<byte[], ChatResponseUpdate> read, StreamChunkReader reader)
    {
        var updates = new List<ChatResponseUpdate?>();
        string? failure = null;
        foreach (var chunk in chunks)
        {
            try
            {
                var update = read(Encoding.UTF8.GetBytes(chunk));
                updates.Add(ReferenceEquals(update, StreamChunkReader.Folded) ? null : update);
            }
            catch (LlmException ex)
            {
                failure = "failed: " + ex.Message; // a stream ends at its error
                break;
            }
        }
        reader.Seal();
        return [.. updates.Select(u => u is null ? "folded" : string.Join(" | ",
            u.ResponseId, u.ModelId, u.Role?.Value, u.FinishReason?.Value,
            string.Join(" + ", u.Contents.Select(c => c switch
            {
                TextReasoningContent r => "reasoning:" + r.Text,
                TextContent t => "text:" + t.Text,
                UsageContent usage => $"usage:{usage.Details.InputTokenCount}/{usage.Details.OutputTokenCount}/{usage.Details.ReasoningTokenCount}",
                _ => c.GetType().Name,
            })))), .. failure is null ? [] : new[] { failure }];
    }
}
