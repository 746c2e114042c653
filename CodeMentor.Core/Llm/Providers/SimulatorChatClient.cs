using System.Runtime.CompilerServices;
using CodeMentor.Core.Tokens;
using Microsoft.Extensions.AI;

namespace CodeMentor.Core.Llm.Providers;

/// <summary>
/// The offline simulator: used only when no provider is configured. It streams a deterministic,
/// clearly labelled reply at a configurable speed and counts usage with the real tokenizer, so the
/// whole product (streaming, history, ledger) works on a fresh machine without a key.
/// </summary>
internal sealed class SimulatorChatClient(TokenCounter tokens, SimulatorOptions options, TimeProvider time) : IChatClient
{
    public const string ModelName = "codementor-simulator";
    private static readonly ChatClientMetadata Metadata = new(ProviderNames.Simulator, null, ModelName);

    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, chatOptions, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var prompt = messages.ToList();
        var inputTokens = TokenCounter.ReplyPrimer + prompt.Sum(m => tokens.CountMessage(m.Text));
        var feature = chatOptions.GetRequestContext()?.Feature ?? "chat";
        var reply = SimulatedReplies.For(feature, prompt);
        var pieces = tokens.Split(reply);
        var responseId = "sim-" + Guid.NewGuid().ToString("N")[..12];

        yield return new ChatResponseUpdate(ChatRole.Assistant, (string?)null) { ModelId = ModelName, ResponseId = responseId };

        // Emit in ~20 ms ticks so high speeds do not mean thousands of timer waits.
        var perTick = Math.Max(1, options.TokensPerSecond / 50);
        var tick = TimeSpan.FromSeconds((double)perTick / options.TokensPerSecond);
        for (var i = 0; i < pieces.Count; i += perTick)
        {
            await Task.Delay(tick, time, cancellationToken);
            var text = string.Concat(pieces.Skip(i).Take(perTick));
            yield return new ChatResponseUpdate(ChatRole.Assistant, text) { ModelId = ModelName, ResponseId = responseId };
        }

        yield return new ChatResponseUpdate
        {
            Role = ChatRole.Assistant,
            ModelId = ModelName,
            ResponseId = responseId,
            FinishReason = ChatFinishReason.Stop,
            Contents =
            [
                new UsageContent(new UsageDetails
                {
                    InputTokenCount = inputTokens,
                    OutputTokenCount = pieces.Count,
                    TotalTokenCount = inputTokens + pieces.Count,
                }),
            ],
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? Metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }
}
