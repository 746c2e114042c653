using System.Text.Json;
using CodeMentor.Core.Markdown;
using CodeMentor.Core.Tokens;
using CsCheck;

namespace CodeMentor.Tests.Quality;

/// <summary>
/// Streamed = one-shot: a reply rendered as it streams, in any chunking, ends exactly as the same
/// text rendered once, on all 652 examples of the CommonMark 0.31.2 spec (Data/CommonMark, from
/// the npm package commonmark-spec) and on random Markdown; and matches the one-shot render of the
/// text so far at every step, except while an open code fence streams unhighlighted.
/// </summary>
public sealed class IncrementalMarkdownTests
{
    private sealed record SpecExample(int Number, string Section, string Markdown, string Html);

    private static readonly IReadOnlyList<SpecExample> Spec = JsonSerializer.Deserialize<List<SpecExample>>(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "CommonMark", "spec.json")), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

    private static readonly TokenCounter Tokens = new();

    public static TheoryData<string> Chunkings() => ["character", "word", "token", "random-1", "random-2", "random-3"];

    private static IEnumerable<string> Chunk(string text, string chunking) => chunking switch
    {
        "character" => text.Select(c => c.ToString()),
        "word" => SplitKeepingSeparators(text),
        "token" => Tokens.Split(text),
        _ => RandomChunks(text, int.Parse(chunking["random-".Length..])),
    };

    private static IEnumerable<string> SplitKeepingSeparators(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is ' ' or '\n')
            {
                yield return text[start..(i + 1)];
                start = i + 1;
            }
        }
        if (start < text.Length)
        {
            yield return text[start..];
        }
    }

    private static IEnumerable<string> RandomChunks(string text, int seed)
    {
        var random = new Random(seed * 7919 + text.Length);
        for (var i = 0; i < text.Length;)
        {
            var length = Math.Min(text.Length - i, random.Next(1, 12));
            // Never split a surrogate pair: a chunk of a stream is always whole characters.
            if (i + length < text.Length && char.IsLowSurrogate(text[i + length]))
            {
                length++;
            }
            yield return text.Substring(i, length);
            i += length;
        }
    }

    /// <returns>A description of the first difference, or null.</returns>
    private static string? Stream(string markdown, IEnumerable<string> chunks)
    {
        var incremental = new IncrementalMarkdown();
        var sofar = "";
        foreach (var chunk in chunks)
        {
            incremental.Append(chunk);
            sofar += chunk;
            var frame = incremental.Render();
            if (frame.OpenCode is null && frame.Html != SafeMarkdown.ToHtml(sofar))
            {
                return $"after {sofar.Length} characters: {frame.Html} instead of {SafeMarkdown.ToHtml(sofar)}";
            }
        }
        var final = incremental.Complete().Html;
        return final == SafeMarkdown.ToHtml(markdown) ? null : $"at the end: {final} instead of {SafeMarkdown.ToHtml(markdown)}";
    }

    [Fact]
    public void The_corpus_is_the_652_examples_of_the_spec() => Assert.Equal(652, Spec.Count);

    [Theory]
    [MemberData(nameof(Chunkings))]
    public void Every_spec_example_streams_to_exactly_its_one_shot_render(string chunking)
    {
        var differences = Spec
            .Select(example => (example.Number, Difference: Stream(example.Markdown, Chunk(example.Markdown, chunking))))
            .Where(r => r.Difference is not null)
            .Select(r => $"example {r.Number}: {r.Difference}")
            .ToList();
        Assert.True(differences.Count == 0, $"{differences.Count} of {Spec.Count} differ, e.g. {string.Join("\n", differences.Take(3))}");
    }

    private static readonly string[] Fragments =
    [
        "# Title\n", "Some *emphasis* and **strong** text. ", "\n\n", "\n", "- item one\n", "- item two\n", "1. first\n", "2. second\n",
        "```python\nprint('hi')\n", "```\n", "~~~\nraw\n~~~\n", "> a quote\n", "    indented code\n", "| a | b |\n|---|---|\n| 1 | 2 |\n",
        "[link](https://example.org) ", "`inline code` ", "***\n", "Heading\n---\n", "  - nested\n", "- [ ] task\n", "<b>html</b> ",
        "[ref]\n", "[ref]: https://example.org/ref\n", "é語👍 ", "\\* not emphasis ", "line with trailing spaces  \n",
    ];

    [Fact]
    public void Random_markdown_in_random_chunks_streams_to_exactly_its_one_shot_render()
    {
        Gen.Int[0, Fragments.Length - 1].Array[1, 30].Select(Gen.Int[1, 1000])
            .Sample((picks, seed) =>
            {
                var markdown = string.Concat(picks.Select(p => Fragments[p]));
                var difference = Stream(markdown, RandomChunks(markdown, seed));
                return difference is null;
            }, iter: 800);
    }

    [Fact]
    public void A_long_code_fence_streams_without_parsing_and_is_highlighted_when_it_closes()
    {
        var code = string.Concat(Enumerable.Range(0, 400).Select(i => $"total += values[{i}]  # step {i}\n"));
        var markdown = "Here is the loop:\n\n```python\n" + code + "```\n\nThat's all.";
        var incremental = new IncrementalMarkdown();
        foreach (var token in Tokens.Split(markdown))
        {
            incremental.Append(token);
            incremental.Render();
        }

        Assert.Equal(SafeMarkdown.ToHtml(markdown), incremental.Complete().Html);
        // Each character parsed a few times at most, not once per token.
        Assert.True(incremental.CharactersParsed <= 3 * markdown.Length, $"parsed {incremental.CharactersParsed:N0} for {markdown.Length:N0}");
    }
}
