using Microsoft.Extensions.AI;

namespace CodeMentor.Core.Llm.Providers;

/// <summary>Stands in for a provider when LLM_ENABLED=false: every call fails with a clear message.</summary>
internal sealed class DisabledChatClient : IChatClient
{
    private static LlmException Off() => new(LlmFailureCategory.Disabled, LlmStatus.DisabledMessage);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw Off();

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw Off();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
