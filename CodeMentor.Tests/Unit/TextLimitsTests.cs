using CodeMentor.Core.Tutoring;
using CsCheck;

namespace CodeMentor.Tests.Unit;

public sealed class TextLimitsTests
{
    // Text with surrogate pairs, emoji with skin-tone modifiers and combining marks: what titles are cut from.
    private static readonly string[] Choices = ["a", " ", "é", "e\u0301", "語", "👍", "👍🏽", "👩‍💻", "🇫🇷", "x"];
    private static readonly Gen<string> Pieces = Gen.Int[0, Choices.Length - 1].Select(i => Choices[i]);

    [Fact]
    public void Shorten_never_breaks_a_character_nor_exceeds_the_length()
    {
        Gen.Select(Pieces.Array[0, 80], Gen.Int[1, 70], Gen.Bool).Sample((pieces, max, ellipsis) =>
        {
            var text = string.Concat(pieces);
            var cut = TextLimits.Shorten(text, max, ellipsis ? "…" : "");

            Assert.True(cut.Length <= Math.Max(max, ellipsis ? 1 : 0) || cut == text);
            Assert.Equal(-1, TextLimits.BrokenCharacterAt(cut));
            var kept = ellipsis && cut != text ? cut[..^1] : cut;
            Assert.StartsWith(kept, text, StringComparison.Ordinal);
            // The kept part ends where one of the original pieces ends (a character boundary).
            var boundaries = new HashSet<int> { 0 };
            var at = 0;
            foreach (var piece in pieces)
            {
                boundaries.Add(at += piece.Length);
            }
            Assert.Contains(kept.TrimEnd().Length, boundaries);
        });
    }

    [Fact]
    public void A_title_cut_after_an_emoji_keeps_the_whole_emoji()
    {
        var text = new string('a', 56) + "👍🏽 and more text after it";

        Assert.Equal(new string('a', 56) + "…", TextLimits.Shorten(text, 60, "…"));
        Assert.Equal(new string('a', 56) + "👍🏽", TextLimits.Shorten(text, 60));
    }
}
