using CodeMentor.Core.Text;
using CsCheck;

namespace CodeMentor.Tests.Unit;

/// <summary>Pooled text (a reply while it streams, folded chunks, the text kept to count a cut-off call) must read back
/// exactly what was appended, however the pieces fall against the buffer's growth.</summary>
public sealed class PooledTextTests
{
    [Fact]
    public void Reads_back_the_pieces_appended_in_order()
    {
        Gen.OneOf(Gen.String[0, 40], Gen.String[200, 700], Gen.Const("😀"), Gen.Const("")).Array[0, 60].Sample(pieces =>
        {
            using var seen = new PooledText();
            foreach (var piece in pieces)
            {
                seen.Append(piece);
            }
            var expected = string.Concat(pieces);
            Assert.Equal(expected, seen.ToString());
            Assert.Equal(expected.Length, seen.Length);
        });
    }

    [Fact]
    public void Once_disposed_it_holds_nothing_and_can_be_disposed_again()
    {
        var seen = new PooledText();
        seen.Append("partial reply");
        seen.Dispose();
        seen.Dispose();

        Assert.Equal("", seen.ToString());
        Assert.Equal(0, seen.Length);
    }
}
