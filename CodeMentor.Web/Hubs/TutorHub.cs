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
public sealed record TutorStreamItem(string Kind, string Text, string? Status = null, string? Detail = null, decimal? CostUsd = null);

/// <summary>
/// The tutor for editor plugins and scripts, at /hubs/tutor: the same conversations, pipeline,
/// limits and ledger as the web chat. Callers authenticate with the site cookie or a bearer token
/// from POST /api/auth/token; anonymous connections are refused.
/// </summary>
[Authorize(AuthenticationSchemes = AuthSchemes)]
public sealed class TutorHub(ConversationService conversations) : Hub
{
    public const string Path = "/hubs/tutor";
    public const string AuthSchemes = "Identity.Application,Identity.Bearer";

    private string UserId => Context.User?.FindFirstValue(ClaimTypes.NameIdentifier)
        ?? throw new HubException("Sign in first.");

    public Task<Guid> StartConversation() => conversations.CreateAsync(UserId, new LearnerContext());

    public async Task<IReadOnlyList<ConversationSummary>> ListConversations() => await conversations.ListAsync(UserId);

    /// <summary>Sends a message and streams the tutor's reply. Cancelling the stream stops the reply
    /// (the text so far is kept, as in the web chat).</summary>
    public async IAsyncEnumerable<TutorStreamItem> Ask(Guid conversationId, string message,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var userId = UserId;
        var sent = await conversations.SendAsync(userId, conversationId, message, cancellationToken);
        if (sent.Run is not { } run)
        {
            throw new HubException(sent.Error ?? "The message could not be sent.");
        }

        var changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        void OnChanged() => changed.Writer.TryWrite(true);
        run.Changed += OnChanged;
        using var stopOnCancel = cancellationToken.Register(run.Stop);
        try
        {
            var (textSent, reasoningSent) = (0, 0);
            while (true)
            {
                var snapshot = run.Snapshot();
                if (snapshot.Reasoning.Length > reasoningSent)
                {
                    yield return new TutorStreamItem("reasoning", snapshot.Reasoning[reasoningSent..]);
                    reasoningSent = snapshot.Reasoning.Length;
                }
                if (snapshot.Text.Length > textSent)
                {
                    yield return new TutorStreamItem("text", snapshot.Text[textSent..]);
                    textSent = snapshot.Text.Length;
                }
                if (snapshot.Status != MessageStatus.Streaming)
                {
                    await run.Completion;
                    var saved = (await conversations.GetAsync(userId, conversationId, CancellationToken.None))?.Messages
                        .FirstOrDefault(m => m.Id == run.MessageId);
                    yield return new TutorStreamItem("done", "", snapshot.Status.ToString(), snapshot.StatusDetail, saved?.CostUsd);
                    yield break;
                }
                await changed.Reader.ReadAsync(CancellationToken.None);
            }
        }
        finally
        {
            run.Changed -= OnChanged;
        }
    }
}
