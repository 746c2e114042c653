using CodeMentor.Core.Llm.Context;
using CodeMentor.Core.Tokens;
using Microsoft.Extensions.AI;

namespace CodeMentor.Tests.Unit;

public sealed class ContextWindowTests
{
    private static readonly TokenCounter Tokens = new();
    private readonly ContextWindow _window = new(Tokens);

    private static List<ChatMessage> Conversation(int count, string system = "You are a tutor.")
    {
        var messages = new List<ChatMessage> { new(ChatRole.System, system) };
        for (var i = 1; i <= count; i++)
        {
            messages.Add(new ChatMessage(i % 2 == 1 ? ChatRole.User : ChatRole.Assistant, $"message number {i}"));
        }
        return messages;
    }

    [Fact]
    public void Counts_tokens_with_o200k_base()
    {
        // "Hello, world!" is 4 tokens in o200k_base: "Hello", ",", " world", "!".
        Assert.Equal(4, Tokens.CountText("Hello, world!"));
        Assert.Equal(4 + TokenCounter.PerMessageOverhead, Tokens.CountMessage("Hello, world!"));
    }

    [Fact]
    public void Keeps_the_system_prompt_and_the_newest_messages_within_the_message_budget()
    {
        var result = _window.Select(Conversation(25), maxMessages: 10, maxTokens: 4000);

        Assert.False(result.IsRefused);
        Assert.Equal(11, result.Messages.Count);
        Assert.Equal(ChatRole.System, result.Messages[0].Role);
        Assert.Equal(Enumerable.Range(16, 10).Select(i => $"message number {i}"), result.Messages.Skip(1).Select(m => m.Text));
        Assert.Equal(15, result.DroppedMessages);
    }

    [Fact]
    public void Keeps_within_the_token_budget_counting_per_message_overhead()
    {
        var messages = Conversation(20);
        var system = Tokens.CountMessage("You are a tutor.");
        var each = Tokens.CountMessage("message number 10"); // every "message number NN" costs the same
        var budget = TokenCounter.ReplyPrimer + system + (each * 4) + (each - 1); // room for 4, not 5

        var result = _window.Select(messages, maxMessages: 100, maxTokens: budget);

        Assert.Equal(5, result.Messages.Count);
        Assert.Equal(["message number 17", "message number 18", "message number 19", "message number 20"],
            result.Messages.Skip(1).Select(m => m.Text));
        Assert.True(result.TokenCount <= budget);
        Assert.Equal(TokenCounter.ReplyPrimer + system + (each * 4), result.TokenCount);
    }

    [Fact]
    public void A_message_saved_with_its_token_count_costs_that_count_without_being_tokenized_again()
    {
        // The saved count (deliberately unlike the text's real count) is what the window uses.
        var saved = new CountedChatMessage(ChatRole.User, "short text", textTokens: 500);
        var plain = new ChatMessage(ChatRole.User, "short text");

        Assert.Equal(TokenCounter.ReplyPrimer + 500 + TokenCounter.PerMessageOverhead, _window.Count([saved]));
        Assert.Equal(TokenCounter.ReplyPrimer + Tokens.CountMessage("short text"), _window.Count([plain]));
        var result = _window.Select([new ChatMessage(ChatRole.System, "s"), saved, plain], maxMessages: 10, maxTokens: 200);
        Assert.Equal(["s", "short text"], result.Messages.Select(m => m.Text)); // the saved message's 500 tokens do not fit
    }

    [Fact]
    public void Never_cuts_a_message_and_keeps_the_window_contiguous()
    {
        var messages = Conversation(3);
        messages.Insert(2, new ChatMessage(ChatRole.Assistant, string.Join(' ', Enumerable.Repeat("long", 2000))));
        messages.Add(new ChatMessage(ChatRole.User, "latest question"));

        var result = _window.Select(messages, maxMessages: 10, maxTokens: 500);

        // The long message does not fit, so nothing older than it is kept either.
        Assert.Equal(["message number 2", "message number 3", "latest question"], result.Messages.Skip(1).Select(m => m.Text));
        Assert.All(result.Messages, m => Assert.Contains(m.Text, messages.Select(x => x.Text)));
    }

    [Fact]
    public void Keeps_every_system_message_even_when_the_budget_is_tight()
    {
        var messages = Conversation(6);
        messages.Insert(3, new ChatMessage(ChatRole.System, "Exercise context."));

        var result = _window.Select(messages, maxMessages: 1, maxTokens: 4000);

        Assert.Equal([ChatRole.System, ChatRole.System, ChatRole.Assistant], result.Messages.Select(m => m.Role));
        Assert.Equal("message number 6", result.Messages[^1].Text);
    }

    [Fact]
    public void A_new_message_bigger_than_the_history_budget_is_sent_alone_with_the_system_prompt()
    {
        var messages = Conversation(2);
        messages.Add(new ChatMessage(ChatRole.User, string.Join(' ', Enumerable.Repeat("word", 5000))));

        var result = _window.Select(messages, maxMessages: 10, maxTokens: 4000, modelTokens: 100_000);

        Assert.False(result.IsRefused);
        Assert.Equal([ChatRole.System, ChatRole.User], result.Messages.Select(m => m.Role));
        Assert.Equal(2, result.DroppedMessages);
    }

    [Fact]
    public void Refuses_a_new_message_the_model_cannot_read_at_all()
    {
        var messages = Conversation(2);
        messages.Add(new ChatMessage(ChatRole.User, string.Join(' ', Enumerable.Repeat("word", 5000))));

        var result = _window.Select(messages, maxMessages: 10, maxTokens: 4000, modelTokens: 4000);

        Assert.True(result.IsRefused);
        Assert.Empty(result.Messages);
        Assert.True(result.RefusedMessageTokens > 4000);
        Assert.Contains("nothing was sent", result.RefusalMessage);
        Assert.Equal(4000 - TokenCounter.ReplyPrimer - Tokens.CountMessage("You are a tutor."), result.AvailableTokens);
        Assert.Contains(result.AvailableTokens.ToString("N0"), result.RefusalMessage);
    }

    [Fact]
    public void Window_of_a_thousand_messages_holds_only_what_fits()
    {
        var result = _window.Select(Conversation(1000), maxMessages: 1000, maxTokens: 4000);

        Assert.True(result.TokenCount <= 4000);
        Assert.Equal("message number 1000", result.Messages[^1].Text);
        Assert.True(result.Messages.Count > 100);
    }
}
