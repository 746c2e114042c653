using CodeMentor.Core.Tutoring;
using CsCheck;

namespace CodeMentor.Tests.Unit;

/// <summary>A run keeps its text in pooled buffers while it is written and as the saved strings once finished: a reader
/// following it by deltas, before and after the finish, must see exactly the text appended, nothing lost or doubled.</summary>
public sealed class GenerationRunTests
{
    private static readonly Gen<string?> Piece = Gen.OneOf(Gen.String[0, 30].Select(s => (string?)s), Gen.Const((string?)null),
        Gen.String[500, 1500].Select(s => (string?)s), Gen.Const((string?)"😀é"));

    [Fact]
    public void A_reader_following_by_deltas_sees_exactly_what_was_appended_across_the_finish()
    {
        Gen.Select(Gen.Select(Piece, Piece).Array[0, 40], Gen.Int[0, 40], Gen.Bool).Sample((pieces, finishAt, givenSaved) =>
        {
            var run = new GenerationRun("u", Guid.NewGuid(), 1);
            var (text, reasoning) = ("", "");
            var (readText, readReasoning) = ("", "");
            var (textAt, reasoningAt) = (0, 0);
            void Follow()
            {
                var delta = run.ReadFrom(textAt, reasoningAt);
                (readText, readReasoning) = (readText + delta.Text, readReasoning + delta.Reasoning);
                (textAt, reasoningAt) = (delta.TextLength, delta.ReasoningLength);
            }
            for (var i = 0; i < pieces.Length; i++)
            {
                if (i == finishAt)
                {
                    break;
                }
                run.Append(pieces[i].Item1, pieces[i].Item2);
                (text, reasoning) = (text + pieces[i].Item1, reasoning + pieces[i].Item2);
                if (i % 3 == 0)
                {
                    Follow();
                }
            }
            var saved = run.Snapshot();
            Assert.Equal((text, reasoning), (saved.Text, saved.Reasoning));

            run.Finish(MessageStatus.Complete, null, saved: givenSaved ? saved : null);
            run.Append("late", "late"); // nothing changes a finished run
            Follow();
            run.Finish(MessageStatus.Failed, "again"); // a second finish keeps the text

            Assert.Equal((text, reasoning), (readText, readReasoning));
            Assert.Equal(text.Length, run.TextLength);
            Assert.Equal((text, reasoning), (run.Snapshot().Text, run.Snapshot().Reasoning));
            Assert.True(run.ReadFrom(textAt, reasoningAt).IsEmpty);
        });
    }
}
