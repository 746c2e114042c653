using System.Security.Cryptography;
using CodeMentor.Core.Accounts;
using CodeMentor.Core.Data;
using CodeMentor.Core.SharedState;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;

namespace CodeMentor.Core.Courses;

/// <summary>What a teacher sets for a course.</summary>
public sealed record CourseDraft(string Name, string Languages, string Level, TutorMode Mode,
    DateTime? ExamStartsUtc = null, DateTime? ExamEndsUtc = null, CourseBudget? Budget = null,
    LeakGuardStrictness LeakGuard = LeakGuardStrictness.Standard);

/// <summary>A course as its teacher sees it.</summary>
public sealed record TaughtCourse(Guid Id, string Name, string Languages, string Level, TutorMode Mode,
    DateTime? ExamStartsUtc, DateTime? ExamEndsUtc, string JoinCode, int Learners, CourseBudget Budget, LeakGuardStrictness LeakGuard);

/// <summary>A learner of a course, as its teacher sees them: who, and since when — never their conversations.</summary>
public sealed record CourseLearner(string UserId, string Email, DateTime JoinedAtUtc);

/// <summary>What a course used of its budgets this period, for its teacher: the whole course and each learner.</summary>
public sealed record CourseUsage(CourseBudget Budget, long Used, IReadOnlyList<(CourseLearner Learner, long Used)> Learners, DateTime RenewsAtUtc)
{
    public long? Left => Budget.CourseTokens is { } limit ? Math.Max(0, limit - Used) : null;
}

/// <summary>A course as a learner in it sees it.</summary>
public sealed record JoinedCourse(Guid Id, string Name, string Languages, string Level, TutorMode Mode,
    DateTime? ExamStartsUtc, DateTime? ExamEndsUtc, bool Working, LeakGuardStrictness LeakGuard);

/// <summary>
/// Courses, their members and policies. Every call names the user it acts for and is checked here,
/// on the server: only a Teacher creates courses, only a course's own teachers see its join code or
/// change its policy, only members choose a course to work in.
/// </summary>
public sealed class CourseService(IDbContextFactory<AppDbContext> db, DatabaseWriter writer, TimeProvider time,
    HybridCache cache, SharedStateMode sharedState, CourseBudgets budgets)
{
    // Every tutoring call reads the learner's standing (the preflight and the pipeline), so it is cached as the
    // learner profile is, and removed on every change that touches it; other nodes see a change within 5 s.
    private readonly HybridCacheEntryOptions _standingEntry = new()
    {
        Expiration = TimeSpan.FromMinutes(30), LocalCacheExpiration = sharedState.LocalCacheFor(TimeSpan.FromMinutes(30)),
    };

    private static string StandingKey(string userId) => "codementor:course-standing:" + userId;

    private async Task ForgetStandingAsync(IEnumerable<string> userIds, CancellationToken ct)
    {
        foreach (var userId in userIds)
        {
            await cache.RemoveAsync(StandingKey(userId), ct);
        }
    }

    public const string NotATeacher = "Only teachers create courses; an administrator makes an account a teacher.";
    public const string NotYourCourse = "That course is not one you teach.";
    public const string UnknownCode = "No course has that join code. Check it with your teacher (codes are 8 letters and digits).";
    /// <summary>A billion tokens a period: more is a typing slip, not a budget.</summary>
    public const long MaxBudgetTokens = 1_000_000_000;

    public const string LeavingDuringExam = "You cannot leave a course during its exam.";

    // No 0/O, 1/I/L: a code is read aloud and copied from a board.
    private const string CodeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    private const int CodeLength = 8;

    public async Task<bool> IsTeacherAsync(string userId, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        return await context.UserRoles.AnyAsync(ur => ur.UserId == userId
            && context.Roles.Any(r => r.Id == ur.RoleId && r.Name == Roles.Teacher), ct);
    }

    /// <returns>The new course, or the reason it was not made.</returns>
    public async Task<(TaughtCourse? Course, string? Error)> CreateAsync(string teacherId, CourseDraft draft, CancellationToken ct = default)
    {
        if (!await IsTeacherAsync(teacherId, ct))
        {
            return (null, NotATeacher);
        }
        if (Validate(draft) is { } invalid)
        {
            return (null, invalid);
        }
        var course = new Course { Id = Guid.NewGuid(), JoinCode = NewJoinCode(), CreatedAtUtc = time.GetUtcNow().UtcDateTime };
        Apply(course, draft);
        await writer.WriteAsync((context, _) =>
        {
            context.Courses.Add(course);
            context.CourseMembers.Add(new CourseMember
            {
                CourseId = course.Id, UserId = teacherId, Role = CourseRole.Teacher, JoinedAtUtc = course.CreatedAtUtc,
            });
            return Task.CompletedTask;
        });
        return (Taught(course, 0), null);
    }

    /// <returns>An error for the teacher, or null when saved.</returns>
    public async Task<string?> UpdateAsync(string teacherId, Guid courseId, CourseDraft draft, CancellationToken ct = default)
    {
        if (Validate(draft) is { } invalid)
        {
            return invalid;
        }
        var (error, learners) = await writer.WriteAsync(async (context, token) =>
        {
            var course = await context.Courses
                .Where(c => c.Id == courseId && c.Members.Any(m => m.UserId == teacherId && m.Role == CourseRole.Teacher))
                .SingleOrDefaultAsync(token);
            if (course is null)
            {
                return (NotYourCourse, new List<string>());
            }
            Apply(course, draft);
            return ((string?)null, await context.CourseMembers.Where(m => m.CourseId == courseId).Select(m => m.UserId).ToListAsync(token));
        });
        await ForgetStandingAsync(learners, ct);
        return error;
    }

    public async Task<IReadOnlyList<TaughtCourse>> TeachingAsync(string teacherId, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var rows = await context.Courses.AsNoTracking()
            .Where(c => c.Members.Any(m => m.UserId == teacherId && m.Role == CourseRole.Teacher))
            .OrderBy(c => c.Name)
            .Select(c => new { Course = c, Learners = c.Members.Count(m => m.Role == CourseRole.Learner) })
            .ToListAsync(ct);
        return rows.Select(r => Taught(r.Course, r.Learners)).ToList();
    }

    /// <summary>The course's learners, for one of its teachers; null for anyone else.</summary>
    public async Task<IReadOnlyList<CourseLearner>?> LearnersAsync(string teacherId, Guid courseId, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        if (!await TeachesAsync(context, teacherId, courseId, ct))
        {
            return null;
        }
        var rows = await context.CourseMembers.AsNoTracking()
            .Where(m => m.CourseId == courseId && m.Role == CourseRole.Learner)
            .Join(context.Users, m => m.UserId, u => u.Id, (m, u) => new { m.UserId, Email = u.Email ?? u.UserName ?? m.UserId, m.JoinedAtUtc })
            .OrderBy(l => l.Email)
            .ToListAsync(ct);
        return rows.Select(r => new CourseLearner(r.UserId, r.Email, r.JoinedAtUtc)).ToList();
    }

    /// <summary>The course's tokens this period, in all and per learner, for one of its teachers; null for anyone else.
    /// Totals only: which calls, and what was asked, stay the learners' own.</summary>
    public async Task<CourseUsage?> UsageAsync(string teacherId, Guid courseId, CancellationToken ct = default)
    {
        if (await LearnersAsync(teacherId, courseId, ct) is not { } learners)
        {
            return null;
        }
        CourseBudget budget;
        await using (var context = await db.CreateDbContextAsync(ct))
        {
            budget = await context.Courses.AsNoTracking().Where(c => c.Id == courseId)
                .Select(c => new CourseBudget(c.BudgetPeriod, c.TokenBudget, c.LearnerTokenBudget)).SingleAsync(ct);
        }
        var (used, byLearner, renews) = await budgets.UsageAsync(courseId, budget.Period, learners.Select(l => l.UserId), ct);
        return new CourseUsage(budget, used, learners.Select(l => (l, byLearner[l.UserId])).ToList(), renews);
    }

    /// <summary>Takes a learner out of the course (they can join again with the code while it is unchanged).</summary>
    /// <returns>An error for the teacher, or null when done.</returns>
    public async Task<string?> RemoveLearnerAsync(string teacherId, Guid courseId, string learnerId, CancellationToken ct = default)
    {
        await using (var context = await db.CreateDbContextAsync(ct))
        {
            if (!await TeachesAsync(context, teacherId, courseId, ct))
            {
                return NotYourCourse;
            }
        }
        await RemoveMembershipAsync(courseId, learnerId, ct);
        return null;
    }

    /// <summary>Takes a learner out of a course (a teacher's membership is never touched), unshares what they shared
    /// with it (they shared it with the course as its learner) and forgets their standing.</summary>
    private async Task RemoveMembershipAsync(Guid courseId, string learnerId, CancellationToken ct)
    {
        await writer.WriteAsync(async (context, token) =>
        {
            var removed = await context.CourseMembers.Where(m => m.CourseId == courseId && m.UserId == learnerId && m.Role == CourseRole.Learner)
                .ExecuteDeleteAsync(token);
            if (removed > 0)
            {
                await context.SharedConversations
                    .Where(s => s.CourseId == courseId && context.Conversations.Any(c => c.Id == s.ConversationId && c.UserId == learnerId))
                    .ExecuteDeleteAsync(token);
            }
            return removed;
        });
        await ForgetStandingAsync([learnerId], ct);
    }

    internal static Task<bool> TeachesAsync(AppDbContext context, string teacherId, Guid courseId, CancellationToken ct) =>
        context.CourseMembers.AnyAsync(m => m.CourseId == courseId && m.UserId == teacherId && m.Role == CourseRole.Teacher, ct);

    /// <summary>Joins the course with this code (again: nothing changes). The first course a learner
    /// joins becomes the one they work in.</summary>
    public async Task<(JoinedCourse? Course, string? Error)> JoinAsync(string userId, string code, CancellationToken ct = default)
    {
        var normalized = new string((code ?? "").Where(char.IsLetterOrDigit).ToArray()).ToUpperInvariant();
        if (normalized.Length != CodeLength)
        {
            return (null, UnknownCode);
        }
        var joined = await writer.WriteAsync(async (context, token) =>
        {
            var course = await context.Courses.SingleOrDefaultAsync(c => c.JoinCode == normalized, token);
            if (course is null)
            {
                return (Course: (Course?)null, Working: false);
            }
            var member = await context.CourseMembers.SingleOrDefaultAsync(m => m.CourseId == course.Id && m.UserId == userId, token);
            if (member is null)
            {
                var working = !await context.CourseMembers.AnyAsync(m => m.UserId == userId && m.Working, token);
                member = new CourseMember
                {
                    CourseId = course.Id, UserId = userId, Role = CourseRole.Learner, Working = working,
                    JoinedAtUtc = time.GetUtcNow().UtcDateTime,
                };
                context.CourseMembers.Add(member);
            }
            return (Course: course, member.Working);
        });
        await ForgetStandingAsync([userId], ct);
        return joined.Course is { } c ? (Joined(c, joined.Working), null) : (null, UnknownCode);
    }

    public async Task<IReadOnlyList<JoinedCourse>> LearningAsync(string userId, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var rows = await context.CourseMembers.AsNoTracking()
            .Where(m => m.UserId == userId && m.Role == CourseRole.Learner)
            .OrderBy(m => m.Course!.Name)
            .Select(m => new { m.Course, m.Working })
            .ToListAsync(ct);
        return rows.Select(r => Joined(r.Course!, r.Working)).ToList();
    }

    /// <summary>Chooses the course the learner works in (null: none). Only a course they learn in.</summary>
    public async Task<string?> SetWorkingAsync(string userId, Guid? courseId, CancellationToken ct = default)
    {
        var error = await writer.WriteAsync(async (context, token) =>
        {
            if (courseId is { } id && !await context.CourseMembers.AnyAsync(m => m.CourseId == id && m.UserId == userId && m.Role == CourseRole.Learner, token))
            {
                return "You are not in that course.";
            }
            await context.CourseMembers.Where(m => m.UserId == userId && m.Working && m.CourseId != courseId)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Working, false), token);
            if (courseId is { } chosen)
            {
                await context.CourseMembers.Where(m => m.UserId == userId && m.CourseId == chosen)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.Working, true), token);
            }
            return (string?)null;
        });
        await ForgetStandingAsync([userId], ct);
        return error;
    }

    public async Task<string?> LeaveAsync(string userId, Guid courseId, CancellationToken ct = default)
    {
        var standing = await StandingAsync(userId, ct);
        if (standing.Learning.FirstOrDefault(c => c.CourseId == courseId) is { } course && course.InExam(time.GetUtcNow().UtcDateTime))
        {
            return LeavingDuringExam;
        }
        await RemoveMembershipAsync(courseId, userId, ct);
        return null;
    }

    /// <summary>The policies that apply to the user's model calls (cached; one small indexed read when not).</summary>
    public async Task<CourseStanding> StandingAsync(string userId, CancellationToken ct = default) =>
        await cache.GetOrCreateAsync(StandingKey(userId), token => new ValueTask<CourseStanding>(ReadStandingAsync(userId, token)),
            _standingEntry, cancellationToken: ct);

    private async Task<CourseStanding> ReadStandingAsync(string userId, CancellationToken ct)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var rows = await context.CourseMembers.AsNoTracking()
            .Where(m => m.UserId == userId && m.Role == CourseRole.Learner)
            .Select(m => new
            {
                m.Working, m.Course!.Id, m.Course.Name, m.Course.Mode, m.Course.Languages, m.Course.Level, m.Course.ExamStartsUtc, m.Course.ExamEndsUtc,
                m.Course.BudgetPeriod, m.Course.TokenBudget, m.Course.LearnerTokenBudget, m.Course.LeakGuard,
            })
            .ToListAsync(ct);
        if (rows.Count == 0)
        {
            return CourseStanding.None;
        }
        var policies = rows.Select(r => (r.Working, Policy: new CoursePolicy(r.Id, r.Name, r.Mode, r.Languages, r.Level, r.ExamStartsUtc, r.ExamEndsUtc,
            new CourseBudget(r.BudgetPeriod, r.TokenBudget, r.LearnerTokenBudget), r.LeakGuard))).ToList();
        return new CourseStanding(policies.FirstOrDefault(p => p.Working).Policy, policies.Select(p => p.Policy).ToList());
    }

    private static string? Validate(CourseDraft draft)
    {
        if (string.IsNullOrWhiteSpace(draft.Name) || draft.Name.Trim().Length > Course.MaxNameLength)
        {
            return $"Give the course a name of at most {Course.MaxNameLength} characters.";
        }
        if ((draft.Languages?.Length ?? 0) > Course.MaxTextLength)
        {
            return $"List the languages in at most {Course.MaxTextLength} characters.";
        }
        if (!Tutoring.LearnerProfile.Levels.Contains(draft.Level))
        {
            return "Choose the course's level: " + string.Join(", ", Tutoring.LearnerProfile.Levels) + ".";
        }
        if (!Enum.IsDefined(draft.Mode))
        {
            return "Choose how much the tutor may help.";
        }
        if (!Enum.IsDefined(draft.LeakGuard))
        {
            return "Choose how strict the solution-leak guard is.";
        }
        if ((draft.ExamStartsUtc is null) != (draft.ExamEndsUtc is null) || draft.ExamEndsUtc <= draft.ExamStartsUtc)
        {
            return "An exam window needs a start and an end after it.";
        }
        if (draft.Budget is { } budget && (!Enum.IsDefined(budget.Period) || budget.CourseTokens is <= 0 || budget.LearnerTokens is <= 0
            || budget.CourseTokens > MaxBudgetTokens || budget.LearnerTokens > MaxBudgetTokens))
        {
            return $"A token budget is a whole number from 1 to {MaxBudgetTokens:N0}, or empty for none.";
        }
        if (draft.Budget is { CourseTokens: { } total, LearnerTokens: { } each } && each > total)
        {
            return "A learner's budget cannot be more than the whole course's.";
        }
        return null;
    }

    private static void Apply(Course course, CourseDraft draft)
    {
        course.Name = draft.Name.Trim();
        course.Languages = (draft.Languages ?? "").Trim();
        course.Level = draft.Level;
        course.Mode = draft.Mode;
        course.LeakGuard = draft.LeakGuard;
        course.ExamStartsUtc = draft.ExamStartsUtc is { } start ? DateTime.SpecifyKind(start, DateTimeKind.Utc) : null;
        course.ExamEndsUtc = draft.ExamEndsUtc is { } end ? DateTime.SpecifyKind(end, DateTimeKind.Utc) : null;
        var budget = draft.Budget ?? new CourseBudget(course.BudgetPeriod, null, null);
        course.BudgetPeriod = budget.Period;
        course.TokenBudget = budget.CourseTokens;
        course.LearnerTokenBudget = budget.LearnerTokens;
    }

    private static string NewJoinCode() => RandomNumberGenerator.GetString(CodeAlphabet, CodeLength);

    private static TaughtCourse Taught(Course c, int learners) =>
        new(c.Id, c.Name, c.Languages, c.Level, c.Mode, c.ExamStartsUtc, c.ExamEndsUtc, c.JoinCode, learners,
            new CourseBudget(c.BudgetPeriod, c.TokenBudget, c.LearnerTokenBudget), c.LeakGuard);

    private static JoinedCourse Joined(Course c, bool working) =>
        new(c.Id, c.Name, c.Languages, c.Level, c.Mode, c.ExamStartsUtc, c.ExamEndsUtc, working, c.LeakGuard);
}
