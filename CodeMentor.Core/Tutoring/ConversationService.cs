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
/// Turns and replies: sending, editing and regenerating (each after one preflight, <c>OpenAsync</c>),
/// and deleting a conversation (which stops its running reply first). Storage of conversations is
/// <see cref="ConversationStore"/>'s. Every method takes the signed-in user's id and every query
/// filters by it. Writes go through the <see cref="DatabaseWriter"/>, one write per turn: the
/// learner's message, the conversation's title and time, and the reply's placeholder together.
/// </summary>
public sealed class ConversationService(
    ConversationStore store,
    DatabaseWriter writer,
    GenerationRunner runner,
    ContextWindow window,
    TokenCounter tokens,
    UserRateLimiter limiter,
    IUserLimitsSource limits,
    LearnerProfiles profiles,
    LlmStatus status,
    Courses.CourseService courses,
    Courses.CourseBudgets budgets,
    Usage.RefusalLedger refusals,
    IOptions<LlmOptions> options,
    TimeProvider time)
{
    public const string StillAnswering = "The tutor is still answering. Wait for the reply or press Stop first.";
    public const string NotYours = "This conversation does not exist or is not yours.";

    public async Task<bool> DeleteAsync(string userId, Guid conversationId, CancellationToken ct = default)
    {
        if (!await store.OwnsAsync(userId, conversationId, ct))
        {
            return false;
        }
        if (runner.FindActiveInConversation(conversationId) is { } run)
        {
            run.Stop();
            await run.Completion;
        }
        return await writer.WriteAsync(async (context, token) =>
            await context.Conversations.Where(c => c.Id == conversationId && c.UserId == userId).ExecuteDeleteAsync(token) == 1);
    }

    /// <summary>Saves the learner's message, then starts the reply. The message is saved before any
    /// model call; if replies are off or the learner's quota is used up, the message is still kept
    /// and the result says why.</summary>
    public Task<SendResult> SendAsync(string userId, Guid conversationId, string text, CancellationToken ct = default) =>
        UnlessDatabaseDownAsync(async () =>
        {
            if (MessageInputRules.Check(text) is { } inputError)
            {
                return SendResult.Refused(inputError);
            }
            var (conversation, refusal) = await OpenAsync(userId, conversationId, ct);
            return refusal ?? await SendAsync(userId, conversationId, conversation!, text, replaceFrom: null, ct);
        });

    /// <param name="replaceFrom">When set, the messages from this id on are deleted in the same write that saves the
    /// new one (an edit), so a refused edit leaves the conversation as it was.</param>
    private async Task<SendResult> SendAsync(string userId, Guid conversationId, LoadedConversation conversation, string text, long? replaceFrom, CancellationToken ct)
    {
        string system;
        try
        {
            system = await SystemPromptAsync(userId, conversation.Kind, ct);
        }
        catch (PromptValidationException ex)
        {
            return SendResult.Refused(ex.LearnerMessage);
        }
        var o = options.Value;
        var fit = window.Select([new ChatMessage(ChatRole.System, system), new ChatMessage(ChatRole.User, text)],
            o.Context.MaxMessages, o.Context.MaxTokens, o.Context.ModelTokens - o.MaxOutputTokens);
        if (fit.IsRefused)
        {
            return SendResult.Refused(fit.RefusalMessage);
        }

        var history = replaceFrom is { } from ? conversation.History.Where(m => m.Id < from).ToList() : conversation.History;
        var now = time.GetUtcNow().UtcDateTime;
        var learnerMessage = new ConversationMessage
        {
            ConversationId = conversationId, Role = MessageRole.User, Content = text, ContentTokens = tokens.CountText(text), CreatedAtUtc = now,
        };
        var title = conversation.Title == Conversation.DefaultTitle ? TitleFrom(text) : conversation.Title;
        var held = await WhyNoReplyAsync(userId, FeatureOf(conversation.Kind), conversationId, ct);
        var reply = held is null ? Placeholder(conversationId) : null;
        await writer.WriteAsync(async (c, token) =>
        {
            if (replaceFrom is { } replaced)
            {
                await c.Messages.Where(m => m.ConversationId == conversationId && m.Id >= replaced).ExecuteDeleteAsync(token);
            }
            await SaveTurnAsync(c, learnerMessage, reply, token);
            await ConversationStore.ReopenConversation.For(c).ExecuteAsync(c, [now, title, false, conversationId], token);
        });
        if (reply is null)
        {
            return new SendResult(learnerMessage, null, null, held!.Value.Message, held.Value.RetryAfter);
        }
        var prompt = new List<ChatMessage>(history.Count + 2) { new(ChatRole.System, system) };
        prompt.AddRange(history.Select(ToChatMessage));
        prompt.Add(ToChatMessage(learnerMessage));
        var run = Start(userId, conversationId, reply, prompt, FeatureOf(conversation.Kind), bypassCache: false);
        return new SendResult(learnerMessage, reply, run, null);
    }

    /// <summary>The learner's message and, when a reply starts, its placeholder: the two rows every turn writes (each
    /// gets its id; see <see cref="DatabaseEngine.InsertAsync{TEntity}"/>).</summary>
    private static Task SaveTurnAsync(AppDbContext context, ConversationMessage learnerMessage, ConversationMessage? reply, CancellationToken ct) =>
        DatabaseEngine.Of(context).InsertAsync<ConversationMessage>(context, reply is null ? [learnerMessage] : [learnerMessage, reply], ct);

    /// <summary>What a learner is told when the database does not answer (an outage, a failover).</summary>
    public const string DatabaseDown =
        "CodeMentor's database does not answer right now, so nothing was saved. Your message is still in the box: send it again in a moment.";

    /// <summary>A turn while the database does not answer is refused with <see cref="DatabaseDown"/> (the learner's
    /// text stays where they typed it), instead of failing the page or the hub call.</summary>
    private static async Task<SendResult> UnlessDatabaseDownAsync(Func<Task<SendResult>> turn)
    {
        try
        {
            return await turn();
        }
        catch (Exception ex) when (DatabaseEngine.IsOutage(ex))
        {
            return SendResult.Refused(DatabaseDown);
        }
    }

    /// <summary>Replaces the learner's last message (and the reply to it) with an edited one and asks
    /// again. Only the last message can be edited, so the thread never branches silently.</summary>
    public Task<SendResult> EditLastAsync(string userId, Guid conversationId, string text, CancellationToken ct = default) =>
        UnlessDatabaseDownAsync(async () =>
        {
            if (MessageInputRules.Check(text) is { } inputError)
            {
                return SendResult.Refused(inputError);
            }
            var (conversation, refusal) = await OpenAsync(userId, conversationId, ct);
            if (refusal is not null || conversation!.Kind != ConversationKind.Chat)
            {
                return refusal ?? SendResult.Refused(NotYours);
            }
            var last = conversation.History.LastOrDefault(m => m.Role == MessageRole.User);
            if (last is null)
            {
                return SendResult.Refused("There is no message of yours to edit yet.");
            }
            return await SendAsync(userId, conversationId, conversation, text, replaceFrom: last.Id, ct);
        });

    /// <summary>Replaces the last reply with a fresh one, or answers a trailing learner message
    /// that has no reply yet (after an outage, a refusal, or while replies were off).</summary>
    public Task<SendResult> RegenerateAsync(string userId, Guid conversationId, CancellationToken ct = default) =>
        UnlessDatabaseDownAsync(async () =>
        {
            var (conversation, refusal) = await OpenAsync(userId, conversationId, ct);
            if (refusal is not null)
            {
                return refusal;
            }
            if (conversation!.Kind is ConversationKind.Review or ConversationKind.Concept)
            {
                return SendResult.Refused("Ask for a new review or explanation instead.");
            }
            var history = conversation.History;
            if (!history.Any(m => m.Role == MessageRole.User))
            {
                return SendResult.Refused("There is no question to answer yet: write one first.");
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
            var prompt = new List<ChatMessage> { new(ChatRole.System, system) };
            prompt.AddRange(WithoutTrailingReply(history).Select(ToChatMessage));
            return await ReplaceLastReplyAsync(userId, conversationId, prompt, FeatureOf(conversation.Kind), ct);
        });

    /// <summary>What is left of the user's request quota, for the chat page; null while the quota store does not answer.</summary>
    public async Task<QuotaStatus?> QuotaAsync(string userId, CancellationToken ct = default)
    {
        try
        {
            await limiter.EnsureLoadedAsync(userId, ct);
            return await limiter.StatusAsync(userId, await limits.GetAsync(userId, ct), ct);
        }
        catch (LlmException)
        {
            return null; // sending says why (see WhyNoReplyAsync); the page just shows no count
        }
    }

    /// <summary>The user's reply being written, on this node or (followed here) on another.</summary>
    public GenerationRun? FindRun(string userId, long messageId) =>
        runner.Find(messageId) is { } run ? (run.UserId == userId ? run : null) : runner.Follow(userId, messageId);

    /// <summary>Replaces the last reply of a conversation with a fresh one from a template-built prompt
    /// (a review asked again), after the usual checks; the cache is bypassed.</summary>
    internal Task<SendResult> RegenerateWithPromptAsync(string userId, Guid conversationId, IReadOnlyList<ChatMessage> prompt, string feature, CancellationToken ct) =>
        UnlessDatabaseDownAsync(async () =>
        {
            var (_, refusal) = await OpenAsync(userId, conversationId, ct, withHistory: false);
            return refusal ?? await ReplaceLastReplyAsync(userId, conversationId, prompt, feature, ct);
        });

    /// <summary>Saves a learner message and starts a reply from a template-built prompt, after the
    /// same checks as a chat message (replies on, quota, one reply at a time).</summary>
    internal Task<SendResult> SendWithPromptAsync(string userId, Guid conversationId, string learnerText,
        IReadOnlyList<ChatMessage> prompt, string feature, CancellationToken ct) =>
        UnlessDatabaseDownAsync(async () =>
        {
            var (_, refusal) = await OpenAsync(userId, conversationId, ct, withHistory: false);
            if (refusal is not null)
            {
                return refusal;
            }
            var message = new ConversationMessage
            {
                ConversationId = conversationId, Role = MessageRole.User, Content = learnerText,
                ContentTokens = tokens.CountText(learnerText), CreatedAtUtc = time.GetUtcNow().UtcDateTime,
            };
            var held = await WhyNoReplyAsync(userId, feature, conversationId, ct);
            var reply = held is null ? Placeholder(conversationId) : null;
            await writer.WriteAsync((c, token) => SaveTurnAsync(c, message, reply, token));
            if (reply is null)
            {
                return new SendResult(message, null, null, held!.Value.Message, held.Value.RetryAfter);
            }
            return new SendResult(message, reply, Start(userId, conversationId, reply, prompt, feature, bypassCache: false), null);
        });

    /// <summary>The one preflight of every path that starts a reply: replies on, the course's tutor on, quota left. A refusal
    /// is recorded in the ledger as the pipeline records one (<see cref="Usage.RefusalLedger"/>).</summary>
    private async Task<(string Message, TimeSpan? RetryAfter)?> WhyNoReplyAsync(string userId, string feature, Guid conversationId, CancellationToken ct)
    {
        if (status.Mode == LlmMode.Disabled)
        {
            return (LlmStatus.DisabledMessage, null);
        }
        // The pipeline enforces the course policy too; looking first keeps the message without an empty reply.
        var standing = await courses.StandingAsync(userId, ct);
        if (standing.WhyOff(time.GetUtcNow().UtcDateTime) is { } courseOff)
        {
            refusals.Record(userId, feature, conversationId, standing.Working?.CourseId, LlmFailureCategory.CourseClosed);
            return (courseOff + " Your message is kept.", null); // said only where it is true: the API keeps nothing
        }
        // The pipeline enforces the budgets and limits; looking first keeps a refused turn free of an empty reply.
        try
        {
            if (standing.Working is { } course && await budgets.CheckAsync(userId, course, ct) is { Allowed: false } spent)
            {
                refusals.Record(userId, feature, conversationId, course.CourseId, LlmFailureCategory.CourseBudgetUsed);
                // No wait to count down or answer after: the message says when the budget renews, and a course budget
                // is not a limit to wait out between two questions (the pipeline's refusal still carries it, for /v1).
                return (spent.Message!, null);
            }
            await limiter.EnsureLoadedAsync(userId, ct);
            var quota = await limiter.CheckAsync(userId, await limits.GetAsync(userId, ct), ct);
            if (quota.Allowed)
            {
                return null;
            }
            refusals.Record(userId, feature, conversationId, standing.Working?.CourseId, LlmFailureCategory.QuotaExceeded);
            return (quota.Message!, quota.RetryAfter);
        }
        catch (LlmException ex)
        {
            return (ex.Message, null); // the quota store (Redis) does not answer: the message is kept, no reply starts
        }
    }

    /// <summary>Called after <see cref="OpenAsync"/>: the conversation is the user's and no reply is running.</summary>
    private async Task<SendResult> ReplaceLastReplyAsync(string userId, Guid conversationId, IReadOnlyList<ChatMessage> prompt, string feature, CancellationToken ct)
    {
        if (await WhyNoReplyAsync(userId, feature, conversationId, ct) is { } held)
        {
            return SendResult.Refused(held.Message, held.RetryAfter);
        }
        var reply = Placeholder(conversationId);
        await writer.WriteAsync(async (c, token) =>
        {
            var last = await c.Messages.Where(m => m.ConversationId == conversationId).OrderByDescending(m => m.Id).FirstOrDefaultAsync(token);
            if (last is { Role: MessageRole.Assistant })
            {
                c.Messages.Remove(last);
            }
            c.Messages.Add(reply);
        });
        return new SendResult(null, reply, Start(userId, conversationId, reply, prompt, feature, bypassCache: true), null);
    }

    private ConversationMessage Placeholder(Guid conversationId) => new()
    {
        ConversationId = conversationId,
        Role = MessageRole.Assistant,
        Status = MessageStatus.Streaming,
        Node = runner.NodeId,
        CreatedAtUtc = time.GetUtcNow().UtcDateTime,
        Provider = status.ProviderName,
        Model = status.Model,
    };

    private GenerationRun Start(string userId, Guid conversationId, ConversationMessage reply, IReadOnlyList<ChatMessage> prompt, string feature, bool bypassCache)
    {
        var o = options.Value;
        var chatOptions = new ChatOptions { Temperature = (float)o.Temperature, MaxOutputTokens = o.MaxOutputTokens }
            .WithRequestContext(new LlmRequestContext(userId, feature, conversationId, bypassCache));
        return runner.Start(userId, conversationId, reply.Id, prompt, chatOptions);
    }

    /// <summary>The first check of every path that writes a turn or starts a reply, in one order: the
    /// conversation is the user's (so nothing, not even "still answering", is said about anyone
    /// else's), then no reply is running in it, on this node or (with several) any other.</summary>
    private async Task<(LoadedConversation? Conversation, SendResult? Refusal)> OpenAsync(string userId, Guid conversationId, CancellationToken ct,
        bool withHistory = true)
    {
        // Without history (a template-built prompt needs none), only ownership is read.
        var conversation = withHistory ? await store.LoadAsync(userId, conversationId, ct) : null;
        if (withHistory ? conversation is null : !await store.OwnsAsync(userId, conversationId, ct))
        {
            return (null, SendResult.Refused(NotYours));
        }
        var answering = runner.FindActiveInConversation(conversationId) is not null || await store.AnsweringOnAnyNodeAsync(conversationId, ct);
        return answering ? (null, SendResult.Refused(StillAnswering)) : (conversation, null);
    }

    /// <summary>The history to answer again: without the reply being replaced.</summary>
    private static IEnumerable<ConversationMessage> WithoutTrailingReply(List<ConversationMessage> history) =>
        history.Count > 0 && history[^1].Role == MessageRole.Assistant ? history.Take(history.Count - 1) : history;

    private static string FeatureOf(ConversationKind kind) => kind == ConversationKind.Onboarding ? Features.Onboarding : Features.Chat;

    private static ChatMessage ToChatMessage(ConversationMessage message)
    {
        var role = message.Role == MessageRole.User ? ChatRole.User : ChatRole.Assistant;
        return message.ContentTokens is { } count ? new CountedChatMessage(role, message.Content, count) : new ChatMessage(role, message.Content);
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
        var line = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return TextLimits.Shorten(line, 60, "…");
    }
}
