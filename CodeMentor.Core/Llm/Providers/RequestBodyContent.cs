using System.Net;
using CommunityToolkit.HighPerformance.Buffers;

namespace CodeMentor.Core.Llm.Providers;

/// <summary>
/// A request body written into a buffer rented from the shared array pool, sent as is, and returned to the pool once
/// nothing can read it any more. A chat request's body (the whole conversation as JSON) was the largest allocation of a
/// turn. HttpClient may still be sending the body when the request is disposed (a provider that answers before it has
/// read the whole request), so the buffer goes back only when the last send has finished as well: a buffer returned
/// early could be rented and filled by another learner's request while this one was still sending it.
/// </summary>
internal sealed class RequestBodyContent : HttpContent
{
    private readonly ArrayPoolBufferWriter<byte> _buffer;

    // Holders of the buffer: the content itself until it is disposed, plus each send in progress. The last one out
    // returns the buffer.
    private int _holders = 1;
    private int _disposed;

    public RequestBodyContent(ArrayPoolBufferWriter<byte> buffer)
    {
        _buffer = buffer;
        Headers.ContentType = new("application/json");
    }

    /// <summary>The body as written (what tests read; valid until the content is disposed).</summary>
    public ReadOnlyMemory<byte> Written => _buffer.WrittenMemory;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Hold();
        try
        {
            await stream.WriteAsync(_buffer.WrittenMemory, cancellationToken);
        }
        finally
        {
            Release();
        }
    }

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Hold();
        try
        {
            stream.Write(_buffer.WrittenSpan);
        }
        finally
        {
            Release();
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _buffer.WrittenCount;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Release();
        }
        base.Dispose(disposing);
    }

    private void Hold()
    {
        while (true)
        {
            var holders = Volatile.Read(ref _holders);
            ObjectDisposedException.ThrowIf(holders == 0, this); // already returned: never send a buffer someone else may own
            if (Interlocked.CompareExchange(ref _holders, holders + 1, holders) == holders)
            {
                return;
            }
        }
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _holders) == 0)
        {
            _buffer.Dispose();
        }
    }
}
