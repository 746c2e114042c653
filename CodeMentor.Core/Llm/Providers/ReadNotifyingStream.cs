namespace CodeMentor.Core.Llm.Providers;

/// <summary>A read-only view of a response body that reports every read that returned bytes, so an idle timeout
/// counts anything the provider sends (keep-alive comments too) as the provider still sending — the SSE parser
/// above it only surfaces complete events.</summary>
internal sealed class ReadNotifyingStream(Stream inner, Action onBytes) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Seen(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Seen(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Seen(inner.Read(buffer));

    private int Seen(int read)
    {
        if (read > 0)
        {
            onBytes();
        }
        return read;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();
}
