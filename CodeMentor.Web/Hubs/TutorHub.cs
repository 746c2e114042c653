using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Threading.Channels;
using CodeMentor.Core.Prompts;
using CodeMentor.Core.Tutoring;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;

namespace CodeMentor.Web.Hubs;

/// <summary>One piece of a streamed reply: text, reasoning, or the end with the reply's status.</summary>
/// <param name="OverheadMs">On "done": milliseconds CodeMentor's pipeline added to the call, provider time excluded.</param>
public sealed record TutorStreamItem(string Kind, string Text, string? Status = null, string? Detail = null, decimal? CostUsd = null,
    double? OverheadMs = null);

/// <summary>
/// The tutor for editor plugins and scripts, at /hubs/tutor: the same conversations, pipeline,
/// limits and ledger as the web chat. Callers authenticate with the site cookie or a bearer token
/// from POST /api/auth/token; anonymous connections are refused.
/// </summary>
[Authorize(AuthenticationSchemes = AuthSchemes)]
public sealed class TutorHub(ConversationStore store, ConversationService conversations, TimeProvider time) : Hub
{
    public const string Path = "/hubs/tutor";

    /// <summary>Text after the first is sent at most this often (the web chat renders every 50 ms).</summary>
    public static readonly TimeSpan CoalesceInterval = TimeSpan.FromMilliseconds(15);
    public const string AuthSchemes = "Identity.Application,Identity.Bearer";

    private string UserId => Context.User?.FindFirstValue(ClaimTypes.NameIdentifier)
        ?? throw new HubException("Sign in first.");

    /// <summary>A new conversation for this client: never one another client of the same learner was handed.</summary>
    public Task<Guid> StartConversation() => store.CreateAsync(UserId, new LearnerContext(), reuseUnused: false);

    public async Task<IReadOnlyList<ConversationSummary>> ListConversations() => await store.ListAsync(UserId);

    /// <summary>Sends a message and streams the tutor's reply as it is written (each item holds only
    /// the new text). Cancelling the stream stops the reply (the text so far is kept, as in the web
    /// chat); a dropped connection does not: the reply goes on and is saved, to be read later.</summary>
    public async IAsyncEnumerable<TutorStreamItem> Ask(Guid conversationId, string message,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var run = await SendAsync(UserId, conversationId, message);
        var aborted = Context.ConnectionAborted;
        using var stopOnCancel = cancellationToken.Register(() =>
        {
            if (!aborted.IsCancellationRequested)
            {
                run.Stop("Stopped by your client.");
            }
        });
        // Not cancelled by the token: a stopped run still ends with its "done" item.
        await foreach (var item in StreamRunAsync(run, CancellationToken.None))
        {
            yield return item;
        }
    }

    /// <summary>Streams the conversation's latest reply from its first word: one being written — here,
    /// or on another node when several share Redis — live to its end, or a finished one whole. For a
    /// client that reconnects, or joins while another tab or editor is being answered. Cancelling only
    /// stops following; the reply goes on.</summary>
    public async IAsyncEnumerable<TutorStreamItem> Follow(Guid conversationId,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var userId = UserId;
        var reply = await LatestReplyAsync(userId, conversationId, cancellationToken);
        var run = reply.Status == MessageStatus.Streaming ? conversations.FindRun(userId, reply.Id) : null;
        if (reply.Status == MessageStatus.Streaming && run is null)
        {
            // Its run ended between the read and the look-up (read the saved reply again), or its node
            // is gone and the reply is about to be marked failed by another node.
            reply = await LatestReplyAsync(userId, conversationId, cancellationToken);
            if (reply.Status == MessageStatus.Streaming)
            {
                throw new HubException("That reply is being written on a node that does not answer; it is marked failed within seconds. Follow again then.");
            }
        }
        if (run is null)
        {
            if (!string.IsNullOrEmpty(reply.Reasoning))
            {
                yield return new TutorStreamItem("reasoning", reply.Reasoning);
            }
            yield return new TutorStreamItem("text", reply.Content);
            yield return new TutorStreamItem("done", "", reply.Status.ToString(), reply.StatusDetail, reply.CostUsd);
            yield break;
        }
        await foreach (var item in StreamRunAsync(run, cancellationToken))
        {
            yield return item;
        }
    }

    private async Task<ConversationMessage> LatestReplyAsync(string userId, Guid conversationId, CancellationToken ct)
    {
        var view = await store.GetAsync(userId, conversationId, ct) ?? throw new HubException("There is no such conversation of yours.");
        return view.Messages.LastOrDefault(m => m.Role == MessageRole.Assistant)
            ?? throw new HubException("This conversation has no reply yet.");
    }

    /// <summary>A run's text from its start to its end, as deltas; the end carries the reply's status and cost.</summary>
    private async IAsyncEnumerable<TutorStreamItem> StreamRunAsync(GenerationRun run, [EnumeratorCancellation] CancellationToken ct)
    {
        var changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        void OnChanged() => changed.Writer.TryWrite(true);
        run.Changed += OnChanged;
        try
        {
            var (textSent, reasoningSent) = (0, 0);
            while (true)
            {
                var delta = run.ReadFrom(textSent, reasoningSent);
                (textSent, reasoningSent) = (delta.TextLength, delta.ReasoningLength);
                if (delta.Reasoning.Length > 0)
                {
                    yield return new TutorStreamItem("reasoning", delta.Reasoning);
                }
                if (delta.Text.Length > 0)
                {
                    yield return new TutorStreamItem("text", delta.Text);
                }
                if (delta.Status != MessageStatus.Streaming)
                {
                    // The run ends after its reply is saved, and carries what it cost.
                    yield return new TutorStreamItem("done", "", delta.Status.ToString(), delta.StatusDetail, delta.CostUsd,
                        delta.Overhead?.TotalMilliseconds);
                    yield break;
                }
                await changed.Reader.ReadAsync(ct);
                if (textSent > 0)
                {
                    // After the first text, which goes at once, gather what arrives for a moment: one
                    // item per interval instead of one per token (a reply of 200 tokens was 170 messages).
                    await Task.WhenAny(run.Completion, Task.Delay(CoalesceInterval, time, ct));
                }
            }
        }
        finally
        {
            run.Changed -= OnChanged;
        }
    }

    /// <summary>Checks and sends the message; every refusal is a HubException with the learner-facing reason.</summary>
    private async Task<GenerationRun> SendAsync(string userId, Guid conversationId, string? message)
    {
        if (message is null)
        {
            throw new HubException("Ask needs a message: Ask(conversationId, message).");
        }
        var sent = await conversations.SendAsync(userId, conversationId, message);
        return sent.Run ?? throw new HubException(sent.Error ?? "The message could not be sent.");
    }
}
