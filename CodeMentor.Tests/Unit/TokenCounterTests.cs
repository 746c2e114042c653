using CodeMentor.Core.Tokens;
using CsCheck;

namespace CodeMentor.Tests.Unit;

public sealed class TokenCounterTests
{
    private static readonly TokenCounter Tokens = new();

    [Fact]
    public void Split_never_duplicates_a_character_whose_bytes_straddle_two_tokens()
    {
        Assert.Equal("χρῆν", string.Concat(Tokens.Split("χρῆν")));
        Assert.Equal("👍🏽 naïve café 語", string.Concat(Tokens.Split("👍🏽 naïve café 語")));
    }

    [Fact]
    public void Split_pieces_always_join_back_into_the_text()
    {
        Gen.String[Gen.Char.AlphaNumeric.Select(c => c), 0, 40]
            .Select(Gen.String, Gen.Int[0, 3], (ascii, unicode, pick) => pick switch { 0 => ascii, 1 => unicode, _ => ascii + unicode })
            .Sample(text =>
            {
                // Arbitrary UTF-16 from CsCheck may hold lone surrogates, which no text can; keep well-formed strings.
                if (HasLoneSurrogate(text))
                {
                    return true;
                }
                return string.Concat(Tokens.Split(text)) == text;
            }, iter: 2000);
    }

    [Fact]
    public void Counting_long_text_in_slices_gives_the_same_count_for_ordinary_prose()
    {
        var prose = string.Join(' ', Enumerable.Range(0, 3000).Select(i => i % 7 == 0 ? "Loops repeat code." : "word" + i));
        var expected = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding("o200k_base").CountTokens(prose);

        Assert.Equal(expected, Tokens.CountText(prose));
    }

    [Fact]
    public void A_long_run_without_spaces_is_counted_in_linear_time_within_a_token_per_slice()
    {
        var run = string.Concat(Enumerable.Repeat("語", 5000));
        var exact = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding("o200k_base").CountTokens(run);
        var sliced = Tokens.CountText(run);

        Assert.InRange(sliced, exact, exact + run.Length / TokenCounter.MaxSlice + 1);
    }

    private static bool HasLoneSurrogate(string text) => CodeMentor.Core.Tutoring.TextLimits.BrokenCharacterAt(text) >= 0;
}
