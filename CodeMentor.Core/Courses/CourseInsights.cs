using System.Text.RegularExpressions;
using CodeMentor.Core.Data;
using CodeMentor.Core.Tutoring;
using CodeMentor.Core.Tutoring.Reviews;
using CodeMentor.Core.Usage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace CodeMentor.Core.Courses;

/// <summary>One learner's tutoring in the course over the window: totals only.</summary>
public sealed record LearnerActivity(string Email, int Calls, long Tokens, decimal CostUsd);

/// <summary>A topic learners asked about — questions grouped by meaning — named by the words at least two of its
/// learners used, with how many learners and questions (never who, never a question).</summary>
public sealed record AskedTopic(IReadOnlyList<string> Words, int Learners, int Questions)
{
    public string Label => Words.Count > 0 ? string.Join(", ", Words) : "questions worded differently";
}

/// <summary>The course's exercises made over the window: totals only (each exercise is one learner's own).</summary>
public sealed record ExerciseTotals(int Made, int Solved, int GaveUp, int Hints, int HeldBackByGuard);

/// <summary>Exercises alike in what they practise — the course's exercises grouped by the meaning of their title and
/// statement — named by the words at least two of their learners' exercises used, with how much help they took.</summary>
public sealed record ExerciseTopic(IReadOnlyList<string> Words, int Learners, int Exercises, int Hints, int GaveUp, int Solved)
{
    public string Label => Words.Count > 0 ? string.Join(", ", Words) : "exercises worded differently";
}

/// <summary>A compiler error learners' reviewed code had, and how many learners had it; the message with the learner's
/// own names in it masked ("The name '…' does not exist in the current context").</summary>
public sealed record CommonError(string Id, string Message, int Learners);

/// <summary>An issue that reviews of several learners' code reported — the reviews' issues grouped by meaning — named by
/// the words at least two of those learners' reviews used, with its most common severity and how many learners and issues.</summary>
public sealed record CommonFinding(IReadOnlyList<string> Words, string? Severity, int Learners, int Findings)
{
    public string Label => Words.Count > 0 ? string.Join(", ", Words) : "issues worded differently";
}

/// <summary>One seven-day window of the course's trend (the same windows as <see cref="CourseWeek"/>, counted back from now).</summary>
public sealed record WeekTrend(DateTime FromUtc, int ActiveLearners, int Calls, long Tokens);

/// <summary>What a course's learners did over the last seven days, as its teacher sees it: aggregates only.</summary>
public sealed record CourseWeek(DateTime FromUtc, DateTime ToUtc, int ActiveLearners, IReadOnlyDictionary<string, int> CallsByFeature,
    IReadOnlyList<LearnerActivity> Learners, IReadOnlyList<AskedTopic> Topics, ExerciseTotals Exercises, IReadOnlyList<ExerciseTopic> ExerciseTopics, IReadOnlyList<CommonError> Errors,
    IReadOnlyList<CommonFinding> Findings, int CodeHeldBack, IReadOnlyList<WeekTrend> Trend)
{
    /// <summary>Weeks of the trend, this one included.</summary>
    public const int TrendWeeks = 8;

    /// <summary>A topic (and a word naming it, and a compiler error) is shown only when at least this many learners
    /// had it, so no one learner's question shows through.</summary>
    public const int MinLearnersPerWord = 2;

    /// <summary>The most recent questions grouped into topics (clustering is cubic in their number).</summary>
    public const int MaxQuestionsClustered = 300;

    /// <summary>The most recent reviews whose issues are grouped (a review lists a handful).</summary>
    public const int MaxReviewsRead = 100;
}

/// <summary>
/// Where a course's learners are working, for its teacher, without reading their chats: the ledger's rows of calls
/// made in the course (each names its course) give calls by feature, and tokens and cost per learner; the learners' own
/// questions in those conversations, grouped by meaning (<see cref="QuestionTopics"/>), give the topics asked about, each
/// named by words two of its learners used (shown from <see cref="CourseWeek.MinLearnersPerWord"/> learners up); the exercises made
/// in the course give its totals (made, solved, given up, hints, replies the leak guard held back) and, grouped by what they
/// practise, the kinds that took the most help; the code reviewed in
/// its conversations gives the compiler errors learners had most, and the issues the reviews reported (read from each
/// review's "Issues" section by <see cref="ReviewFindings"/>, grouped by meaning like the questions), again from two learners up.
/// </summary>
public sealed partial class CourseInsights(IDbContextFactory<AppDbContext> db, TimeProvider time, Material.TextEmbedder embedder) : IDisposable
{
    /// <summary>Texts whose embeddings are kept between loads of the week (about 1.5 KB each): a reload embeds only what is new.</summary>
    public const int EmbeddingsKept = 5_000;

    // The week's texts (questions, review findings, exercises) are mostly the same from one load to the next, and
    // embedding them all again took seconds of CPU per load at the caps; kept by exact text, so results are unchanged.
    private readonly MemoryCache _embeddings = new(new MemoryCacheOptions { SizeLimit = EmbeddingsKept });

    private static readonly TimeSpan Window = TimeSpan.FromDays(7);

    /// <summary>The last seven days of the course, for one of its teachers; null for anyone else.</summary>
    public async Task<CourseWeek?> WeekAsync(string teacherId, Guid courseId, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        if (!await CourseService.TeachesAsync(context, teacherId, courseId, ct))
        {
            return null;
        }
        var to = time.GetUtcNow().UtcDateTime;
        var from = to - Window;
        var rows = context.Ledger.AsNoTracking().Where(e => e.CourseId == courseId && e.TimestampUtc >= from && e.TimestampUtc < to);

        var byFeature = await rows.Where(e => e.Outcome != LedgerOutcomes.RateLimited)
            .GroupBy(e => e.Feature).Select(g => new { g.Key, Calls = g.Count() }).ToListAsync(ct);
        var byLearner = await rows.Where(e => e.Outcome != LedgerOutcomes.RateLimited)
            .GroupBy(e => e.UserId)
            .Select(g => new { UserId = g.Key, Calls = g.Count(), Tokens = g.Sum(e => (long)e.InputTokens + e.OutputTokens), Pico = g.Sum(e => e.CostPico ?? 0) })
            .Join(context.Users, l => l.UserId, u => u.Id, (l, u) => new { Email = u.Email ?? u.UserName ?? "", l.Calls, l.Tokens, l.Pico })
            .ToListAsync(ct);

        // The learners' own words in the conversations they worked on in the course this week.
        var conversations = rows.Where(e => e.ConversationId != null).Select(e => e.ConversationId!.Value).Distinct();
        var questions = await context.Messages.AsNoTracking()
            .Where(m => conversations.Contains(m.ConversationId) && m.Role == MessageRole.User && m.CreatedAtUtc >= from)
            .OrderByDescending(m => m.Id)
            .Select(m => new { m.Conversation!.UserId, m.Content })
            .Take(CourseWeek.MaxQuestionsClustered)
            .ToListAsync(ct);
        var topics = Grouped(questions.Select(q => (q.UserId, Fence().Replace(q.Content, " ").Trim())).Where(q => q.Item2.Length > 0).ToList(), ct)
            .Select(g => new AskedTopic(g.Words, g.Learners, g.Items.Count))
            .Take(ShownGroups)
            .ToList();
        var exercises = context.Exercises.AsNoTracking().Where(e => e.CourseId == courseId && e.CreatedAtUtc >= from && e.CreatedAtUtc < to);
        var exerciseTotals = new ExerciseTotals(
            await exercises.CountAsync(ct),
            await exercises.CountAsync(e => e.Status == ExerciseStatus.Solved, ct),
            await exercises.CountAsync(e => e.Status == ExerciseStatus.GaveUp, ct),
            await exercises.SumAsync(e => e.HintsGiven, ct),
            await context.ExerciseAttempts.CountAsync(a => a.Guarded && exercises.Any(e => e.Id == a.ExerciseId), ct));
        // Which kinds of exercise took the most help: the exercises grouped by what they practise, most hints and give-ups first.
        var made = await exercises.OrderByDescending(e => e.CreatedAtUtc).Take(CourseWeek.MaxQuestionsClustered)
            .Select(e => new { e.UserId, e.Title, e.Statement, e.HintsGiven, e.Status })
            .ToListAsync(ct);
        var exerciseTopics = Grouped(made.Select(e => (e.UserId, $"{e.Title}. {e.Statement}")).ToList(), ct)
            .Select(g => new ExerciseTopic(g.Words, g.Learners, g.Items.Count, g.Items.Sum(i => made[i].HintsGiven),
                g.Items.Count(i => made[i].Status == ExerciseStatus.GaveUp), g.Items.Count(i => made[i].Status == ExerciseStatus.Solved)))
            .OrderByDescending(t => t.Hints + t.GaveUp).ThenByDescending(t => t.Learners).ThenBy(t => t.Label, StringComparer.Ordinal)
            .Take(ShownGroups)
            .ToList();

        // Compiler errors in code reviewed in the course's conversations this week, by how many learners had each.
        var reviews = await context.CodeReviews.AsNoTracking()
            .Where(r => conversations.Contains(r.ConversationId) && r.CreatedAtUtc >= from)
            .OrderByDescending(r => r.CreatedAtUtc)
            .Select(r => new { r.UserId, r.ConversationId, r.Diagnostics })
            .ToListAsync(ct);
        var errors = reviews
            .SelectMany(r => Errors(r.Diagnostics).Select(e => (e.Id, e.Message, r.UserId)))
            .GroupBy(e => e.Id)
            .Select(g => new CommonError(g.Key, g.GroupBy(e => e.Message).OrderByDescending(m => m.Count()).First().Key, g.Select(e => e.UserId).Distinct().Count()))
            .Where(e => e.Learners >= CourseWeek.MinLearnersPerWord)
            .OrderByDescending(e => e.Learners).ThenBy(e => e.Id, StringComparer.Ordinal)
            .Take(10)
            .ToList();

        // Replies whose long code a hints-only policy held back (CodeBlockLimiter), counted by the note that replaced it.
        var codeHeldBack = await context.Messages.AsNoTracking()
            .CountAsync(m => conversations.Contains(m.ConversationId) && m.Role == MessageRole.Assistant && m.CreatedAtUtc >= from
                && m.Content.Contains(CodeBlockLimiter.NoteStart), ct);

        // The issues the reviews reported (their last finished reply each), grouped by meaning.
        var reviewed = reviews.Take(CourseWeek.MaxReviewsRead).ToList();
        var reviewConversations = reviewed.Select(r => r.ConversationId).ToList();
        var replies = await context.Messages.AsNoTracking()
            .Where(m => reviewConversations.Contains(m.ConversationId) && m.Role == MessageRole.Assistant && m.Status == MessageStatus.Complete)
            .Select(m => new { m.ConversationId, m.Id, m.Content })
            .ToListAsync(ct);
        var lastReply = replies.GroupBy(m => m.ConversationId).ToDictionary(g => g.Key, g => g.MaxBy(m => m.Id)!.Content);
        var reported = reviewed
            .SelectMany(r => lastReply.TryGetValue(r.ConversationId, out var reply)
                ? ReviewFindings.Extract(reply).Select(f => (r.UserId, f.Text, f.Severity))
                : [])
            .ToList();
        var findings = Grouped(reported.Select(f => (f.UserId, f.Text)).ToList(), ct)
            .Select(g => new CommonFinding(g.Words, MostCommonSeverity(g.Items.Select(i => reported[i].Severity)), g.Learners, g.Items.Count))
            .Take(ShownGroups)
            .ToList();

        // The trend: the same totals for this and the previous seven-day windows, from the course's ledger rows.
        var trendFrom = to - Window * CourseWeek.TrendWeeks;
        var calls = await context.Ledger.AsNoTracking()
            .Where(e => e.CourseId == courseId && e.TimestampUtc >= trendFrom && e.TimestampUtc < to && e.Outcome != LedgerOutcomes.RateLimited)
            .Select(e => new { e.TimestampUtc, e.UserId, Tokens = (long)e.InputTokens + e.OutputTokens })
            .ToListAsync(ct);
        var trend = new List<WeekTrend>();
        for (var back = CourseWeek.TrendWeeks; back >= 1; back--)
        {
            var start = to - Window * back;
            var inWeek = calls.Where(c => c.TimestampUtc >= start && c.TimestampUtc < start + Window).ToList();
            trend.Add(new WeekTrend(start, inWeek.Select(c => c.UserId).Distinct().Count(), inWeek.Count, inWeek.Sum(c => c.Tokens)));
        }
        return new CourseWeek(from, to, byLearner.Count, byFeature.ToDictionary(f => f.Key, f => f.Calls),
            byLearner.OrderByDescending(l => l.Pico).ThenBy(l => l.Email)
                .Select(l => new LearnerActivity(l.Email, l.Calls, l.Tokens, Money.FromPico(l.Pico))).ToList(),
            topics, exerciseTotals, exerciseTopics, errors, findings, codeHeldBack, trend);
    }

    /// <summary>Groups shown per list (topics, kinds of exercise, findings).</summary>
    private const int ShownGroups = 10;

    /// <summary>The severity given most often (the higher one on a tie); null when none was given.</summary>
    private static string? MostCommonSeverity(IEnumerable<string?> severities) =>
        severities.OfType<string>().GroupBy(v => v)
            .OrderByDescending(v => v.Count()).ThenBy(v => ReviewFindings.Severities.IndexOf(v.Key))
            .FirstOrDefault()?.Key;

    /// <summary>A group of texts alike in meaning: the words naming it, how many learners wrote in it, and its texts' indexes.</summary>
    private sealed record TextGroup(IReadOnlyList<string> Words, int Learners, IReadOnlyList<int> Items);

    /// <summary>Learners' texts (questions, or the issues their reviews reported) grouped by meaning; a group is kept when
    /// at least two learners wrote in it, named by the words at least two of them used; most learners first (callers decide how many to show).</summary>
    private List<TextGroup> Grouped(IReadOnlyList<(string UserId, string Text)> texts, CancellationToken ct)
    {
        if (texts.Select(q => q.UserId).Distinct().Count() < CourseWeek.MinLearnersPerWord)
        {
            return [];
        }
        var groups = QuestionTopics.Cluster(Embed(texts.Select(q => q.Text).ToList(), ct));
        return groups
            .Where(group => group.Select(i => texts[i].UserId).Distinct().Count() >= CourseWeek.MinLearnersPerWord)
            .Select(group => new TextGroup(
                group.SelectMany(i => Words(texts[i].Text).Select(word => (word, texts[i].UserId)))
                    .GroupBy(x => x.word, x => x.UserId)
                    .Select(g => (Word: g.Key, Learners: g.Distinct().Count()))
                    .Where(w => w.Learners >= CourseWeek.MinLearnersPerWord)
                    .OrderByDescending(w => w.Learners).ThenBy(w => w.Word, StringComparer.Ordinal)
                    .Take(3).Select(w => w.Word).ToList(),
                group.Select(i => texts[i].UserId).Distinct().Count(), group.Order().ToList()))
            .OrderByDescending(g => g.Learners).ThenByDescending(g => g.Items.Count).ThenBy(g => string.Join(", ", g.Words), StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The texts' embeddings, from those kept where the same text was embedded before.</summary>
    private float[][] Embed(IReadOnlyList<string> texts, CancellationToken ct)
    {
        var vectors = new float[texts.Count][];
        var missing = new List<int>();
        for (var i = 0; i < texts.Count; i++)
        {
            if (_embeddings.TryGetValue(texts[i], out float[]? kept))
            {
                vectors[i] = kept!;
            }
            else
            {
                missing.Add(i);
            }
        }
        var made = embedder.EmbedMany(missing.Select(i => texts[i]).ToList(), ct);
        for (var m = 0; m < missing.Count; m++)
        {
            vectors[missing[m]] = made[m];
            _embeddings.Set(texts[missing[m]], made[m], new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromDays(8) });
        }
        return vectors;
    }

    public void Dispose() => _embeddings.Dispose();

    /// <summary>The errors of a review's stored diagnostics ("error CS0103 (line 3): The name 'x' does not exist…"),
    /// with anything the learner named (quoted) masked.</summary>
    internal static IEnumerable<(string Id, string Message)> Errors(string diagnostics)
    {
        foreach (var line in diagnostics.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (DiagnosticLine().Match(line) is { Success: true } match)
            {
                yield return (match.Groups["id"].Value, Quoted().Replace(match.Groups["message"].Value.Trim(), "'…'"));
            }
        }
    }

    /// <summary>The words of a question worth counting: lower case, code fences left out, common English words and
    /// short words dropped, a plural "s" folded into its singular ("loops" counts as "loop").</summary>
    internal static IEnumerable<string> Words(string question)
    {
        var prose = Fence().Replace(question, " ");
        var words = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in Word().Matches(prose))
        {
            var word = match.Value.ToLowerInvariant();
            if (word.Length >= 5 && word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal))
            {
                word = word[..^1];
            }
            if ((word.Length >= 3 || word.Contains('#') || word.Contains('+')) && !Common.Contains(word))
            {
                words.Add(word);
            }
        }
        return words;
    }

    [GeneratedRegex(@"^error (?<id>[A-Z]+[0-9]+) \([^)]*\): (?<message>[^\[]*)")]
    private static partial Regex DiagnosticLine();

    [GeneratedRegex(@"'[^']*'")]
    private static partial Regex Quoted();

    [GeneratedRegex("```.*?(```|$)", RegexOptions.Singleline)]
    private static partial Regex Fence();

    [GeneratedRegex(@"[A-Za-z][A-Za-z0-9_#+]*")]
    private static partial Regex Word();

    private static readonly HashSet<string> Common = new(StringComparer.Ordinal)
    {
        "the", "and", "for", "are", "but", "not", "you", "your", "all", "any", "can", "had", "her", "was", "one", "our", "out",
        "has", "him", "his", "how", "man", "new", "now", "old", "see", "two", "way", "who", "did", "get", "let", "put", "say",
        "she", "too", "use", "why", "what", "when", "where", "which", "while", "with", "this", "that", "these", "those", "there",
        "their", "them", "then", "than", "they", "have", "from", "into", "does", "doing", "done", "just", "like", "make",
        "mean", "more", "most", "much", "need", "only", "over", "some", "such", "take", "tell", "very", "want", "will", "would",
        "could", "should", "about", "after", "again", "also", "because", "been", "before", "being", "between", "both", "each",
        "even", "every", "give", "here", "know", "look", "many", "same", "still", "thing", "think", "through", "under", "until",
        "used", "using", "well", "were", "work", "works", "working", "write", "other", "please", "help", "understand", "explain",
        "question", "something", "anything", "really", "its", "isn", "don", "doesn", "didn",
        "my", "me", "is", "it", "in", "on", "of", "to", "a", "an", "or", "if", "do", "be", "by", "as", "at", "so", "no", "up",
    };
}
