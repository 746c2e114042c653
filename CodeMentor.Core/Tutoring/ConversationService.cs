using CodeMentor.Core.Data;
using CodeMentor.Core.Llm;
using CodeMentor.Core.Llm.Context;
using CodeMentor.Core.Llm.Routing;
using CodeMentor.Core.Prompts;
using CodeMentor.Core.RateLimiting;
using CodeMentor.Core.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace CodeMentor.Core.Tutoring;

/// <summary>
/// Conversations and their messages. Every method takes the signed-in user's id and every query
/// filters by it, so a conversation id from someone else finds nothing.
/// </summary>
public sealed class ConversationService(
    IDbContextFactory<AppDbContext> db,
    GenerationRunner runner,
    ContextWindow window,
    TokenCounter tokens,
    UserRateLimiter limiter,
    IUserLimitsSource limits,
    LearnerProfiles profiles,
    LlmStatus status,
    IOptions<LlmOptions> options,
    TimeProvider time)
{
    public async Task<IReadOnlyList<ConversationSummary>> ListAsync(string userId, CancellationToken ct = default) =>
        await ListAsync(userId, ConversationKind.Chat, ct);

    public async Task<IReadOnlyList<ConversationSummary>> ListAsync(string userId, ConversationKind kind, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        return await context.Conversations.AsNoTracking()
            .Where(c => c.UserId == userId && c.Kind == kind)
            .OrderByDescending(c => c.UpdatedAtUtc)
            .Select(c => new ConversationSummary(c.Id, c.Title, c.UpdatedAtUtc))
            .ToListAsync(ct);
    }

    public async Task<ConversationView?> GetAsync(string userId, Guid conversationId, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var conversation = await context.Conversations.AsNoTracking()
            .Where(c => c.Id == conversationId && c.UserId == userId)
            .Select(c => new { c.Id, c.Title })
            .SingleOrDefaultAsync(ct);
        if (conversation is null)
        {
            return null;
        }
        var messages = await context.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversationId)
            .OrderBy(m => m.Id)
            .ToListAsync(ct);
        return new ConversationView(conversation.Id, conversation.Title, messages);
    }

    /// <summary>Starts a conversation with the tutor's greeting (rendered locally; no model call).</summary>
    public async Task<Guid> CreateAsync(string userId, LearnerContext learner, CancellationToken ct = default) =>
        await CreateAsync(userId, ConversationKind.Chat, ConversationGreeting.Instance.Render(learner), Conversation.DefaultTitle, ct);

    /// <summary>Creates a conversation of any kind, opened by the given assistant text (if any).</summary>
    public async Task<Guid> CreateAsync(string userId, ConversationKind kind, string? opening, string title, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var conversation = new Conversation { UserId = userId, Kind = kind, Title = title, CreatedAtUtc = now, UpdatedAtUtc = now };
        if (opening is not null)
        {
            conversation.Messages.Add(new ConversationMessage
            {
                Role = MessageRole.Assistant,
                Content = opening,
                ContentTokens = tokens.CountText(opening),
                CreatedAtUtc = now,
            });
        }
        await using var context = await db.CreateDbContextAsync(ct);
        context.Conversations.Add(conversation);
        await context.SaveChangesAsync(ct);
        return conversation.Id;
    }

    public async Task<bool> RenameAsync(string userId, Guid conversationId, string title, CancellationToken ct = default)
    {
        title = title.Trim();
        if (title.Length == 0)
        {
            return false;
        }
        if (title.Length > Conversation.MaxTitleLength)
        {
            title = title[..Conversation.MaxTitleLength];
        }
        await using var context = await db.CreateDbContextAsync(ct);
        return await context.Conversations.Where(c => c.Id == conversationId && c.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Title, title), ct) == 1;
    }

    public async Task<bool> DeleteAsync(string userId, Guid conversationId, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var conversation = await context.Conversations.SingleOrDefaultAsync(c => c.Id == conversationId && c.UserId == userId, ct);
        if (conversation is null)
        {
            return false;
        }
        if (runner.FindActiveInConversation(conversationId) is { } run)
        {
            run.Stop();
            await run.Completion;
        }
        context.Conversations.Remove(conversation);
        await context.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>Saves the learner's message, then starts the reply. The message is saved before any
    /// model call; if replies are off the message is still kept and the result says why.</summary>
    public async Task<SendResult> SendAsync(string userId, Guid conversationId, string text, CancellationToken ct = default)
    {
        if (MessageInputRules.Check(text) is { } inputError)
        {
            return SendResult.Refused(inputError);
        }
        if (runner.FindActiveInConversation(conversationId) is not null)
        {
            return SendResult.Refused("The tutor is still answering. Wait for the reply or press Stop first.");
        }

        await using var context = await db.CreateDbContextAsync(ct);
        var conversation = await context.Conversations.SingleOrDefaultAsync(c => c.Id == conversationId && c.UserId == userId, ct);
        if (conversation is null)
        {
            return SendResult.Refused("This conversation does not exist or is not yours.");
        }

        // Built once: checked against the window here, then sent with the reply.
        string system;
        try
        {
            system = await SystemPromptAsync(userId, conversation.Kind, ct);
        }
        catch (PromptValidationException ex)
        {
            return SendResult.Refused(ex.LearnerMessage);
        }
        var fit = window.Select([new ChatMessage(ChatRole.System, system), new ChatMessage(ChatRole.User, text)],
            options.Value.Context.MaxMessages, options.Value.Context.MaxTokens);
        if (fit.IsRefused)
        {
            return SendResult.Refused(fit.RefusalMessage);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var userMessage = new ConversationMessage
        {
            ConversationId = conversationId,
            Role = MessageRole.User,
            Content = text,
            ContentTokens = tokens.CountText(text),
            CreatedAtUtc = now,
        };
        context.Messages.Add(userMessage);
        conversation.UpdatedAtUtc = now;
        if (conversation.Title == Conversation.DefaultTitle)
        {
            conversation.Title = TitleFrom(text);
        }
        await context.SaveChangesAsync(ct);

        if (status.Mode == LlmMode.Disabled)
        {
            return new SendResult(userMessage, null, null, LlmStatus.DisabledMessage);
        }
        // The pipeline enforces the limits; looking first keeps a refused turn free of an empty reply.
        var quota = limiter.Check(userId, await limits.GetAsync(userId, ct));
        if (!quota.Allowed)
        {
            return new SendResult(userMessage, null, null, quota.Message, quota.RetryAfter);
        }
        var (reply, run) = await StartReplyAsync(context, userId, conversation, system, ct);
        return new SendResult(userMessage, reply, run, null);
    }

    /// <summary>Replaces the last reply with a fresh one, or answers a trailing learner message
    /// that has no reply yet (after an outage, a refusal, or while replies were off).</summary>
    public async Task<SendResult> RegenerateAsync(string userId, Guid conversationId, CancellationToken ct = default)
    {
        if (status.Mode == LlmMode.Disabled)
        {
            return SendResult.Refused(LlmStatus.DisabledMessage);
        }
        if (runner.FindActiveInConversation(conversationId) is not null)
        {
            return SendResult.Refused("The tutor is still answering. Wait for the reply or press Stop first.");
        }
        await using var context = await db.CreateDbContextAsync(ct);
        var conversation = await context.Conversations.AsNoTracking().SingleOrDefaultAsync(c => c.Id == conversationId && c.UserId == userId, ct);
        if (conversation is null)
        {
            return SendResult.Refused("This conversation does not exist or is not yours.");
        }
        if (conversation.Kind is ConversationKind.Review or ConversationKind.Concept)
        {
            return SendResult.Refused("Ask for a new review or explanation instead.");
        }
        var last = await context.Messages.Where(m => m.ConversationId == conversationId).OrderByDescending(m => m.Id).Take(2).ToListAsync(ct);
        if (last.Count == 0 || (last[0].Role == MessageRole.Assistant && (last.Count < 2 || last[1].Role != MessageRole.User)))
        {
            return SendResult.Refused("There is no question to answer again yet.");
        }
        var quota = limiter.Check(userId, await limits.GetAsync(userId, ct));
        if (!quota.Allowed)
        {
            return SendResult.Refused(quota.Message!, quota.RetryAfter);
        }
        string system;
        try
        {
            system = await SystemPromptAsync(userId, conversation.Kind, ct);
        }
        catch (PromptValidationException ex)
        {
            return SendResult.Refused(ex.LearnerMessage);
        }
        if (last[0].Role == MessageRole.Assistant)
        {
            context.Messages.Remove(last[0]);
            await context.SaveChangesAsync(ct);
        }
        var (reply, run) = await StartReplyAsync(context, userId, conversation, system, ct, bypassCache: true);
        return new SendResult(null, reply, run, null);
    }

    /// <summary>What is left of the user's request quota, for the chat page.</summary>
    public async Task<QuotaStatus> QuotaAsync(string userId, CancellationToken ct = default) =>
        limiter.Status(userId, await limits.GetAsync(userId, ct));

    public GenerationRun? FindRun(string userId, long messageId) =>
        runner.Find(messageId) is { } run && run.UserId == userId ? run : null;

    private async Task<(ConversationMessage Reply, GenerationRun Run)> StartReplyAsync(
        AppDbContext context, string userId, Conversation conversation, string systemPrompt, CancellationToken ct, bool bypassCache = false)
    {
        var history = await context.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversation.Id && m.Content != "")
            .OrderByDescending(m => m.Id)
            .Take(Math.Max(options.Value.Context.MaxMessages * 2, 20)) // the window keeps at most MaxMessages; read a few more
            .ToListAsync(ct);
        history.Reverse();

        var prompt = new List<ChatMessage>(history.Count + 1) { new(ChatRole.System, systemPrompt) };
        prompt.AddRange(history.Select(ToChatMessage));
        var feature = conversation.Kind == ConversationKind.Onboarding ? Features.Onboarding : Features.Chat;
        return await StartReplyAsync(context, userId, conversation.Id, prompt, feature, bypassCache, ct);
    }

    /// <summary>Adds a placeholder reply and starts generating it from the given prompt (reviews,
    /// explanations and other features build their own prompts from templates).</summary>
    internal async Task<(ConversationMessage Reply, GenerationRun Run)> StartReplyAsync(
        AppDbContext context, string userId, Guid conversationId, IReadOnlyList<ChatMessage> prompt, string feature, bool bypassCache, CancellationToken ct)
    {
        var o = options.Value;
        var reply = new ConversationMessage
        {
            ConversationId = conversationId,
            Role = MessageRole.Assistant,
            Status = MessageStatus.Streaming,
            CreatedAtUtc = time.GetUtcNow().UtcDateTime,
            Provider = status.ProviderName,
            Model = status.Model,
        };
        context.Messages.Add(reply);
        await context.SaveChangesAsync(ct);

        var chatOptions = new ChatOptions { Temperature = (float)o.Temperature, MaxOutputTokens = o.MaxOutputTokens }
            .WithRequestContext(new LlmRequestContext(userId, feature, conversationId, bypassCache));
        var run = runner.Start(userId, conversationId, reply.Id, prompt, chatOptions);
        return (reply, run);
    }

    /// <summary>Replaces the last reply of a conversation with a fresh one from a template-built prompt
    /// (a review asked again), after the usual checks; the cache is bypassed.</summary>
    internal async Task<SendResult> RegenerateWithPromptAsync(string userId, Guid conversationId, IReadOnlyList<ChatMessage> prompt, string feature, CancellationToken ct)
    {
        if (status.Mode == LlmMode.Disabled)
        {
            return SendResult.Refused(LlmStatus.DisabledMessage);
        }
        if (runner.FindActiveInConversation(conversationId) is not null)
        {
            return SendResult.Refused("The tutor is still answering. Wait for the reply or press Stop first.");
        }
        var quota = limiter.Check(userId, await limits.GetAsync(userId, ct));
        if (!quota.Allowed)
        {
            return SendResult.Refused(quota.Message!, quota.RetryAfter);
        }
        await using var context = await db.CreateDbContextAsync(ct);
        if (!await context.Conversations.AnyAsync(c => c.Id == conversationId && c.UserId == userId, ct))
        {
            return SendResult.Refused("This conversation does not exist or is not yours.");
        }
        var last = await context.Messages.Where(m => m.ConversationId == conversationId).OrderByDescending(m => m.Id).FirstOrDefaultAsync(ct);
        if (last is { Role: MessageRole.Assistant })
        {
            context.Messages.Remove(last);
            await context.SaveChangesAsync(ct);
        }
        var (reply, run) = await StartReplyAsync(context, userId, conversationId, prompt, feature, bypassCache: true, ct);
        return new SendResult(null, reply, run, null);
    }

    /// <summary>Saves a learner message and starts a reply from a template-built prompt, after the
    /// same checks as a chat message (replies on, quota, one reply at a time).</summary>
    internal async Task<SendResult> SendWithPromptAsync(string userId, Guid conversationId, string learnerText,
        IReadOnlyList<ChatMessage> prompt, string feature, CancellationToken ct)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        if (!await context.Conversations.AnyAsync(c => c.Id == conversationId && c.UserId == userId, ct))
        {
            return SendResult.Refused("This conversation does not exist or is not yours.");
        }
        var message = new ConversationMessage
        {
            ConversationId = conversationId, Role = MessageRole.User, Content = learnerText,
            ContentTokens = tokens.CountText(learnerText), CreatedAtUtc = time.GetUtcNow().UtcDateTime,
        };
        context.Messages.Add(message);
        await context.SaveChangesAsync(ct);
        if (status.Mode == LlmMode.Disabled)
        {
            return new SendResult(message, null, null, LlmStatus.DisabledMessage);
        }
        var quota = limiter.Check(userId, await limits.GetAsync(userId, ct));
        if (!quota.Allowed)
        {
            return new SendResult(message, null, null, quota.Message, quota.RetryAfter);
        }
        var (reply, run) = await StartReplyAsync(context, userId, conversationId, prompt, feature, bypassCache: false, ct);
        return new SendResult(message, reply, run, null);
    }

    private static ChatMessage ToChatMessage(ConversationMessage message)
    {
        var chat = new ChatMessage(message.Role == MessageRole.User ? ChatRole.User : ChatRole.Assistant, message.Content);
        if (message.ContentTokens is { } count)
        {
            chat.AdditionalProperties = new() { [ContextWindow.TokenCountProperty] = count };
        }
        return chat;
    }

    private async Task<string> SystemPromptAsync(string userId, ConversationKind kind, CancellationToken ct)
    {
        var learner = (await profiles.GetAsync(userId, ct)).ToContext();
        return kind == ConversationKind.Onboarding
            ? OnboardingPrompt.Instance.Render(learner)
            : TutorSystemPrompt.Instance.Render(learner);
    }

    private static string TitleFrom(string text)
    {
        var line = text.Trim().ReplaceLineEndings(" ");
        return line.Length <= 60 ? line : line[..57].TrimEnd() + "…";
    }
}
