using System.Text.Json;
using CodeMentor.Core.Llm.Providers;
using CsCheck;
using Microsoft.Extensions.AI;

namespace CodeMentor.Tests.Unit;

/// <summary>A message's text is written in segments (so the body's buffer is not sized for six times the longest
/// text); the body must be byte for byte what writing each text whole gives, whatever the text holds.</summary>
public sealed class ChatRequestWriterTests
{
    private static readonly ProviderEndpoint Ollama = new("ollama", "Ollama", new Uri("http://localhost:11434/v1/"), null, "llama3.2", "LLM_OLLAMA", IsGroq: false);

    /// <summary>The messages as a plain Utf8JsonWriter writes them, each text whole.</summary>
    private static string Whole(IReadOnlyList<ChatMessage> messages)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartArray();
            foreach (var message in messages)
            {
                json.WriteStartObject();
                json.WriteString("role", message.Role.Value);
                json.WriteString("content", message.Text);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string MessagesOf(ReadOnlyMemory<byte> body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("messages").GetRawText();
    }

    // Long runs of plain text around the segment size, with what needs escaping or is not ASCII: quotes, backslashes,
    // control characters, HTML characters, accents, CJK and surrogate pairs (emoji), so pairs fall across segment ends.
    private static readonly Gen<string> Text = Gen.OneOf(
            Gen.String[Gen.Char["abc xyz"], 0, 40],
            Gen.Const("\"\\\n\t\u0001<>&'"), Gen.Const("é"), Gen.Const("字"), Gen.Const("😀"), Gen.Const("𝄞x"))
        .Array[0, 80].Select(parts => string.Concat(parts))
        .Select(Gen.Int[0, ChatRequestWriter.TextSegment * 2], (s, pad) => new string('a', pad) + s);

    [Fact]
    public void Texts_written_in_segments_give_the_body_a_whole_write_gives()
    {
        Gen.Select(Text.Array[1, 4], Gen.Bool).Sample((texts, user) =>
        {
            var messages = texts.Select((t, i) => new ChatMessage(i % 2 == 0 == user ? ChatRole.User : ChatRole.Assistant, t)).ToList();
            using var body = ChatRequestWriter.Write(Ollama, "llama3.2", messages, null);
            Assert.Equal(Whole(messages), MessagesOf(body.Written));
        });
    }

    [Fact]
    public void A_text_many_segments_long_with_a_pair_cut_at_every_segment_end_is_written_intact()
    {
        // Each segment ends inside a surrogate pair.
        var text = string.Concat(Enumerable.Repeat(new string('b', ChatRequestWriter.TextSegment - 1) + "😀", 5));
        using var body = ChatRequestWriter.Write(Ollama, "llama3.2", [new ChatMessage(ChatRole.User, text)], null);

        using var document = JsonDocument.Parse(body.Written);
        Assert.Equal(text, document.RootElement.GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.Equal(Whole([new ChatMessage(ChatRole.User, text)]), MessagesOf(body.Written));
    }

    /// <summary>Text no one here wrote: the CommonMark spec's examples (tabs, entities, non-ASCII, backslashes), all in
    /// one message many segments long, and each one again after padding that puts a segment end inside it.</summary>
    [Fact]
    public void The_CommonMark_spec_examples_written_in_segments_give_the_body_a_whole_write_gives()
    {
        var examples = JsonSerializer.Deserialize<List<JsonElement>>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "CommonMark", "spec.json")))!
            .Select(e => e.GetProperty("markdown").GetString()!).ToList();
        List<ChatMessage> messages =
        [
            new(ChatRole.System, string.Concat(examples)),
            .. examples.Select((markdown, i) => new ChatMessage(i % 2 == 0 ? ChatRole.User : ChatRole.Assistant,
                new string('a', ChatRequestWriter.TextSegment - 1 - i % 5) + markdown)),
        ];

        using var body = ChatRequestWriter.Write(Ollama, "llama3.2", messages, null);

        Assert.True(messages[0].Text.Length > 20 * ChatRequestWriter.TextSegment);
        Assert.Equal(Whole(messages), MessagesOf(body.Written));
    }
}
