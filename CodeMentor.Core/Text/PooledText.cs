using System.Buffers;
using CommunityToolkit.HighPerformance.Buffers;

namespace CodeMentor.Core.Text;

/// <summary>
/// Text built up piece by piece in a buffer rented from the shared array pool (rented at the first piece, returned by
/// <see cref="Dispose"/>): a reply's text while it streams, a stream's folded chunks, the text a pipeline stage keeps to
/// count a cut-off call. Built in a StringBuilder each, the same reply text was allocated again several times per turn.
/// Not thread-safe: its owner locks where it is shared.
/// </summary>
internal sealed class PooledText(int initialCapacity = 256) : IDisposable
{
    private ArrayPoolBufferWriter<char>? _buffer;

    public int Length => _buffer?.WrittenCount ?? 0;

    /// <summary>The text so far, valid until the next change.</summary>
    public ReadOnlySpan<char> Span => _buffer is null ? default : _buffer.WrittenSpan;

    public void Append(ReadOnlySpan<char> text)
    {
        if (!text.IsEmpty)
        {
            (_buffer ??= new ArrayPoolBufferWriter<char>(Math.Max(initialCapacity, text.Length))).Write(text);
        }
    }

    public void Clear() => _buffer?.Clear();

    public override string ToString() => Length > 0 ? new string(Span) : "";

    /// <summary>Returns the buffer to the pool; the text reads as empty after.</summary>
    public void Dispose()
    {
        _buffer?.Dispose();
        _buffer = null;
    }
}
