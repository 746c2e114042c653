using CodeMentor.Core.Llm.Providers;
using Microsoft.Extensions.AI;

namespace CodeMentor.Tests.Unit;

/// <summary>The request body's buffer is rented from the pool: it must go back only when nothing can send it any more,
/// or another request could fill it while this one is still being sent.</summary>
public sealed class RequestBodyContentTests
{
    private static readonly ProviderEndpoint Ollama = new("ollama", "Ollama", new Uri("http://localhost:11434/v1/"), null, "llama3.2", "LLM_OLLAMA", IsGroq: false);

    private static RequestBodyContent Body(string text) =>
        ChatRequestWriter.Write(Ollama, "llama3.2", [new ChatMessage(ChatRole.User, text)], null);

    [Fact]
    public async Task The_body_is_sent_as_written_with_its_length()
    {
        using var content = Body("How do I reverse a list in Python?");
        var written = content.Written.ToArray();

        Assert.Equal(written.Length, content.Headers.ContentLength);
        Assert.Equal("application/json", content.Headers.ContentType?.MediaType);
        Assert.Equal(written, await content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_content_disposed_while_it_is_being_sent_keeps_its_buffer_until_the_send_ends()
    {
        var content = Body(new string('x', 5000));
        var expected = content.Written.ToArray();
        var target = new HeldStream();

        var sending = content.CopyToAsync(target);
        await target.Writing.Task;
        content.Dispose(); // the request is done with while the handler is still sending it

        Assert.Equal(expected, content.Written.ToArray()); // still held by the send: not back in the pool
        target.Release.SetResult();
        await sending;

        Assert.Equal(expected, target.ToArray());
        Assert.Throws<ObjectDisposedException>(() => content.Written); // the last holder returned it
    }

    [Fact]
    public async Task A_disposed_content_is_not_sent_again()
    {
        var content = Body("hello");
        content.Dispose();

        Assert.Throws<ObjectDisposedException>(() => content.Written);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => content.CopyToAsync(new MemoryStream()));
    }

    /// <summary>A stream whose write waits until it is released, as a socket's does when the peer is not reading.</summary>
    private sealed class HeldStream : MemoryStream
    {
        public TaskCompletionSource Writing { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writing.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            await base.WriteAsync(buffer, cancellationToken);
        }
    }
}
