using System.Text;
using System.Text.Json;
using CodeMentor.Core.Data;
using CodeMentor.Core.Usage;
using Microsoft.EntityFrameworkCore;

namespace CodeMentor.Core.Tutoring;

/// <summary>What a learner can take away or erase: a conversation exported as Markdown or JSON, and
/// everything they made deleted at once. Every query is scoped to the signed-in user.</summary>
public sealed class LearnerData(IDbContextFactory<AppDbContext> db, DatabaseWriter writer, GenerationRunner runner, LedgerWriter ledger)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static string ToMarkdown(ConversationView conversation, DateTime exportedAtUtc)
    {
        var text = new StringBuilder();
        text.Append("# ").AppendLine(conversation.Title).AppendLine();
        text.Append("_Exported from CodeMentor on ").Append(exportedAtUtc.ToString("yyyy-MM-dd HH:mm")).AppendLine(" UTC._").AppendLine();
        foreach (var message in conversation.Messages)
        {
            text.Append("## ").Append(message.Role == MessageRole.User ? "You" : "Tutor")
                .Append(" · ").Append(message.CreatedAtUtc.ToString("yyyy-MM-dd HH:mm")).AppendLine(" UTC").AppendLine();
            if (message.Role == MessageRole.User)
            {
                // The learner's text is shown as written, not interpreted as Markdown.
                var fence = new string('`', Math.Max(3, LongestRun(message.Content, '`') + 1));
                text.AppendLine(fence + "text").AppendLine(message.Content).AppendLine(fence);
            }
            else
            {
                text.AppendLine(message.Content);
                AppendSources(text, Courses.Material.CourseSourcesContent.FromJson(message.Sources));
            }
            if (message.Status is MessageStatus.Stopped or MessageStatus.Failed)
            {
                text.AppendLine().Append("> ").Append(message.Status).Append(": ").AppendLine(message.StatusDetail);
            }
            text.AppendLine();
        }
        return text.ToString();
    }

    private static void AppendSources(StringBuilder text, Courses.Material.CourseSourcesContent? sources)
    {
        if (sources is null)
        {
            return;
        }
        text.AppendLine();
        if (!sources.Covered)
        {
            text.AppendLine("_The course material does not cover this question._");
            return;
        }
        text.AppendLine("Sources from the course material:").AppendLine();
        foreach (var source in sources.Sources)
        {
            text.Append(source.Number).Append(". ").AppendLine(source.Describe());
        }
    }

    public static string ToJson(ConversationView conversation, DateTime exportedAtUtc) => JsonSerializer.Serialize(new
    {
        conversation.Id, conversation.Title, ExportedAtUtc = exportedAtUtc,
        Messages = conversation.Messages.Select(m => new
        {
            Role = m.Role.ToString().ToLowerInvariant(), m.Content, m.CreatedAtUtc, Status = m.Status.ToString(), m.StatusDetail,
            m.Model, m.InputTokens, m.OutputTokens, m.CostUsd,
            CourseSources = Courses.Material.CourseSourcesContent.FromJson(m.Sources) is { } sources
                ? new { sources.Covered, Passages = sources.Sources.Select(x => new { x.Number, Source = x.Describe() }) }
                : null,
        }),
    }, Json);

    /// <summary>Deletes every conversation, review, exercise, profile and limit of the user, after stopping
    /// their replies. Ledger rows stay for cost accounting but no longer name the user.</summary>
    public async Task DeleteEverythingAsync(string userId, CancellationToken ct = default)
    {
        await using (var context = await db.CreateDbContextAsync(ct))
        {
            var conversations = await context.Conversations.Where(c => c.UserId == userId).Select(c => c.Id).ToListAsync(ct);
            foreach (var run in conversations.Select(runner.FindActiveInConversation).OfType<GenerationRun>())
            {
                run.Stop();
                await run.Completion;
            }
        }
        await ledger.FlushAsync(); // rows still queued for this user are unnamed too
        var anonymous = "deleted-" + Guid.NewGuid().ToString("N")[..12];
        await writer.WriteAsync(async (c, token) =>
        {
            await c.ExerciseAttempts.Where(a => c.Exercises.Any(e => e.Id == a.ExerciseId && e.UserId == userId)).ExecuteDeleteAsync(token);
            await c.Exercises.Where(e => e.UserId == userId).ExecuteDeleteAsync(token);
            await c.CodeReviews.Where(r => r.UserId == userId).ExecuteDeleteAsync(token);
            await c.Messages.Where(m => c.Conversations.Any(x => x.Id == m.ConversationId && x.UserId == userId)).ExecuteDeleteAsync(token);
            await c.Conversations.Where(x => x.UserId == userId).ExecuteDeleteAsync(token);
            await c.LearnerProfiles.Where(p => p.UserId == userId).ExecuteDeleteAsync(token);
            await c.UserLimits.Where(l => l.UserId == userId).ExecuteDeleteAsync(token);
            await c.Ledger.Where(e => e.UserId == userId).ExecuteUpdateAsync(s => s.SetProperty(e => e.UserId, anonymous), token);
            await c.LedgerDaily.Where(e => e.UserId == userId).ExecuteUpdateAsync(s => s.SetProperty(e => e.UserId, anonymous), token);
        });
    }

    private static int LongestRun(string text, char c)
    {
        int longest = 0, run = 0;
        foreach (var ch in text)
        {
            run = ch == c ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        return longest;
    }
}
