using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace CodeMentor.Benchmarks;

/// <summary>The "same in-process fake stream" both sides of the comparison read: a role update,
/// 40 text updates and a final update with usage, with no I/O, so what is measured is the
/// pipeline's own cost.</summary>
public sealed class InMemoryStreamChatClient(int pieces = 40) : IChatClient
{
    private readonly string[] Pieces = Enumerable.Range(0, pieces).Select(i => $"token{i} ").ToArray();

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        yield return new ChatResponseUpdate(ChatRole.Assistant, (string?)null) { ModelId = "openai/gpt-oss-20b" };
        foreach (var piece in Pieces)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, piece) { ModelId = "openai/gpt-oss-20b" };
        }
        yield return new ChatResponseUpdate
        {
            ModelId = "openai/gpt-oss-20b",
            FinishReason = ChatFinishReason.Stop,
            Contents = [new UsageContent(new UsageDetails { InputTokenCount = 120, OutputTokenCount = Pieces.Length, TotalTokenCount = 120 + Pieces.Length })],
        };
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
