using CodeMentor.Core.Data;
using CodeMentor.Core.Tutoring;
using Microsoft.EntityFrameworkCore;

namespace CodeMentor.Core.Courses;

/// <summary>A conversation a learner has shown to one of their courses; its teachers can read it until they unshare it.</summary>
public sealed class SharedConversation
{
    public Guid CourseId { get; set; }
    public Guid ConversationId { get; set; }
    public DateTime SharedAtUtc { get; set; }
}

/// <summary>One of the learner's courses, and whether this conversation is shared with it.</summary>
public sealed record ShareOption(Guid CourseId, string CourseName, bool Shared);

/// <summary>A conversation shared with a course, as the course's teacher lists it.</summary>
public sealed record SharedConversationSummary(Guid ConversationId, string Title, string LearnerEmail, DateTime SharedAtUtc);

/// <summary>A shared conversation as its course's teacher reads it (read only).</summary>
public sealed record SharedConversationView(ConversationView Conversation, string OwnerId, string LearnerEmail, string CourseName, DateTime SharedAtUtc);

/// <summary>
/// Teachers never see a learner's conversations, except one the learner shares with the course themselves; they can
/// unshare it at any time, and leaving the course (or being removed) unshares everything they shared with it. Every
/// call names the user it acts for and is checked here: only the conversation's owner, a learner of the course,
/// shares; only the course's own teachers read what was shared with it.
/// </summary>
public sealed class ConversationSharing(IDbContextFactory<AppDbContext> db, DatabaseWriter writer, ConversationStore store, TimeProvider time)
{
    public const string NotYours = "This conversation does not exist or is not yours.";
    public const string NotYourCourse = "You can share only with a course you learn in.";

    /// <summary>The learner's courses and whether the conversation is shared with each; null when it is not theirs.</summary>
    public async Task<IReadOnlyList<ShareOption>?> OptionsAsync(string userId, Guid conversationId, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        if (!await context.Conversations.AnyAsync(c => c.Id == conversationId && c.UserId == userId, ct))
        {
            return null;
        }
        var rows = await context.CourseMembers.AsNoTracking()
            .Where(m => m.UserId == userId && m.Role == CourseRole.Learner)
            .OrderBy(m => m.Course!.Name)
            .Select(m => new
            {
                m.CourseId, m.Course!.Name,
                Shared = context.SharedConversations.Any(s => s.CourseId == m.CourseId && s.ConversationId == conversationId),
            })
            .ToListAsync(ct);
        return rows.Select(r => new ShareOption(r.CourseId, r.Name, r.Shared)).ToList();
    }

    /// <returns>An error for the learner, or null when the conversation is shared (again: nothing changes).</returns>
    public async Task<string?> ShareAsync(string userId, Guid conversationId, Guid courseId, CancellationToken ct = default) =>
        await writer.WriteAsync(async (context, token) =>
        {
            if (!await context.Conversations.AnyAsync(c => c.Id == conversationId && c.UserId == userId, token))
            {
                return NotYours;
            }
            if (!await context.CourseMembers.AnyAsync(m => m.CourseId == courseId && m.UserId == userId && m.Role == CourseRole.Learner, token))
            {
                return NotYourCourse;
            }
            if (!await context.SharedConversations.AnyAsync(s => s.CourseId == courseId && s.ConversationId == conversationId, token))
            {
                context.SharedConversations.Add(new SharedConversation
                {
                    CourseId = courseId, ConversationId = conversationId, SharedAtUtc = time.GetUtcNow().UtcDateTime,
                });
            }
            return (string?)null;
        });

    /// <returns>An error for the learner, or null when the course's teachers can no longer read it.</returns>
    public async Task<string?> UnshareAsync(string userId, Guid conversationId, Guid courseId, CancellationToken ct = default) =>
        await writer.WriteAsync(async (context, token) =>
        {
            if (!await context.Conversations.AnyAsync(c => c.Id == conversationId && c.UserId == userId, token))
            {
                return NotYours;
            }
            await context.SharedConversations.Where(s => s.CourseId == courseId && s.ConversationId == conversationId).ExecuteDeleteAsync(token);
            return (string?)null;
        });

    /// <summary>What learners shared with the course, newest first, for one of its teachers; null for anyone else.</summary>
    public async Task<IReadOnlyList<SharedConversationSummary>?> SharedWithAsync(string teacherId, Guid courseId, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        if (!await CourseService.TeachesAsync(context, teacherId, courseId, ct))
        {
            return null;
        }
        var rows = await context.SharedConversations.AsNoTracking()
            .Where(s => s.CourseId == courseId)
            .Join(context.Conversations, s => s.ConversationId, c => c.Id, (s, c) => new { s.SharedAtUtc, c.Id, c.Title, c.UserId })
            .Join(context.Users, x => x.UserId, u => u.Id, (x, u) => new { x.Id, x.Title, x.SharedAtUtc, Email = u.Email ?? u.UserName ?? "" })
            .ToListAsync(ct);
        return rows.OrderByDescending(r => r.SharedAtUtc)
            .Select(r => new SharedConversationSummary(r.Id, r.Title, r.Email, r.SharedAtUtc)).ToList();
    }

    /// <summary>A conversation shared with the course, for one of its teachers; null when it is not shared with it,
    /// or the reader does not teach it.</summary>
    public async Task<SharedConversationView?> ReadAsync(string teacherId, Guid courseId, Guid conversationId, CancellationToken ct = default)
    {
        string ownerId, email, courseName;
        DateTime sharedAt;
        await using (var context = await db.CreateDbContextAsync(ct))
        {
            if (!await CourseService.TeachesAsync(context, teacherId, courseId, ct))
            {
                return null;
            }
            var share = await context.SharedConversations.AsNoTracking()
                .Where(s => s.CourseId == courseId && s.ConversationId == conversationId)
                .Join(context.Conversations, s => s.ConversationId, c => c.Id, (s, c) => new { s.SharedAtUtc, c.UserId })
                .Join(context.Users, x => x.UserId, u => u.Id, (x, u) => new { x.SharedAtUtc, x.UserId, Email = u.Email ?? u.UserName ?? "" })
                .SingleOrDefaultAsync(ct);
            if (share is null)
            {
                return null;
            }
            (ownerId, email, sharedAt) = (share.UserId, share.Email, share.SharedAtUtc);
            courseName = await context.Courses.Where(c => c.Id == courseId).Select(c => c.Name).SingleAsync(ct);
        }
        return await store.GetAsync(ownerId, conversationId, ct) is { } view
            ? new SharedConversationView(view, ownerId, email, courseName, sharedAt)
            : null;
    }
}
