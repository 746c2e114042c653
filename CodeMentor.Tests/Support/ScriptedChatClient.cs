using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.AI;

namespace CodeMentor.Tests.Support;

/// <summary>A provider stand-in for component tests, where the page's states (streaming, stopped,
/// failed) must be reached on cue. Provider behaviour itself is tested over HTTP with FakeGroqServer.</summary>
public sealed class ScriptedChatClient : IChatClient
{
    private readonly Channel<Func<ChatResponseUpdate?>> _steps = Channel.CreateUnbounded<Func<ChatResponseUpdate?>>();

    public List<IReadOnlyList<ChatMessage>> Calls { get; } = [];

    public void Send(string text) => _steps.Writer.TryWrite(() => new ChatResponseUpdate(ChatRole.Assistant, text) { ModelId = "scripted" });

    public void Fail(Exception error) => _steps.Writer.TryWrite(() => throw error);

    public void Finish() => _steps.Writer.TryWrite(() => null);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Calls.Add(messages.ToList());
        while (true)
        {
            var step = await _steps.Reader.ReadAsync(cancellationToken);
            var update = step();
            if (update is null)
            {
                yield break;
            }
            yield return update;
        }
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
