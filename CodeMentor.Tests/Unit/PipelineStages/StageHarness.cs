using CodeMentor.Tests.Support;
using System.Runtime.CompilerServices;
using CodeMentor.Core.Llm;
using Microsoft.Extensions.AI;

namespace CodeMentor.Tests.Unit.PipelineStages;

/// <summary>The stage under test's inner client: yields the given updates (then throws, if told to)
/// and records what it was asked with.</summary>
internal sealed class InnerStub(IReadOnlyList<ChatResponseUpdate> updates, Exception? thenThrow = null) : IChatClient
{
    public List<(IReadOnlyList<ChatMessage> Messages, ChatOptions? Options)> Calls { get; } = [];

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Calls.Add((messages.ToList(), options));
        foreach (var update in updates)
        {
            await Task.Yield();
            yield return update;
        }
        if (thenThrow is not null)
        {
            throw thenThrow;
        }
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }

    public static ChatResponseUpdate Text(string text) => new(ChatRole.Assistant, text) { ModelId = "openai/gpt-oss-20b" };

    public static ChatResponseUpdate End(int input, int output) => new()
    {
        Role = ChatRole.Assistant, FinishReason = ChatFinishReason.Stop,
        Contents = [new UsageContent(new UsageDetails { InputTokenCount = input, OutputTokenCount = output })],
    };

    public static List<ChatMessage> Ask(string question) => [new(ChatRole.System, "You are a tutor."), new(ChatRole.User, question)];

    public static ChatOptions For(string user, string feature = "chat") =>
        new ChatOptions().WithRequestContext(new LlmRequestContext(user, feature));
}

internal static class StreamReading
{
    /// <summary>Every update a stream yields, and the exception it ended with, if any.</summary>
    public static async Task<(List<ChatResponseUpdate> Updates, Exception? Error)> ReadAllAsync(this IAsyncEnumerable<ChatResponseUpdate> stream)
    {
        var updates = new List<ChatResponseUpdate>();
        try
        {
            await foreach (var update in stream)
            {
                updates.Add(update);
            }
            return (updates, null);
        }
        catch (Exception ex)
        {
            return (updates, ex);
        }
    }
}
