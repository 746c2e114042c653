using System.Buffers;
using CommunityToolkit.HighPerformance.Buffers;

namespace CodeMentor.Core.Llm.Pipeline;

/// <summary>
/// The answer and reasoning text one call's stream has carried so far, kept by the stages that must count it if the
/// call is cut off before the provider reports usage (the ledger, the learner's and the course's token budgets). It is
/// read as a string only then — rarely — so it is kept in a buffer rented from the shared pool and returned when the
/// stage is done with the call: folded into a StringBuilder per stage, the same text was allocated again by each of
/// them on every turn.
/// </summary>
internal sealed class SeenText : IDisposable
{
    private ArrayPoolBufferWriter<char>? _buffer;

    public int Length => _buffer?.WrittenCount ?? 0;

    public void Append(string text)
    {
        if (text.Length > 0)
        {
            (_buffer ??= new ArrayPoolBufferWriter<char>(Math.Max(256, text.Length))).Write(text.AsSpan());
        }
    }

    public override string ToString() => _buffer is { WrittenCount: > 0 } buffer ? new string(buffer.WrittenSpan) : "";

    /// <summary>Returns the buffer to the pool; the text reads as empty after.</summary>
    public void Dispose()
    {
        _buffer?.Dispose();
        _buffer = null;
    }
}
