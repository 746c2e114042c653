using System.Text.Json;
using System.Text.Json.Serialization;
using CodeMentor.Core.Data;
using CodeMentor.Core.Llm;
using CodeMentor.Core.Llm.Routing;
using CodeMentor.Core.Prompts;
using CodeMentor.Core.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;

namespace CodeMentor.Core.Tutoring.Exercises;

public sealed record ExerciseExample(string Input, string Output);

/// <summary>An exercise as the learner may see it: the reference solution only once solved or given up.</summary>
public sealed record ExerciseView(
    Guid Id, string Title, string Language, string Difficulty, string Statement, string StarterCode, IReadOnlyList<ExerciseExample> Examples,
    ExerciseStatus Status, int HintsGiven, string CurrentCode, string? ReferenceSolution, IReadOnlyList<ExerciseAttempt> Attempts);

public sealed record ExerciseSummary(Guid Id, string Title, string Language, ExerciseStatus Status, DateTime CreatedAtUtc);

/// <summary>What an exercise action produced: a value, or a message for the learner (nothing lost).</summary>
public sealed record ExerciseOutcome<T>(T? Value, string? Error, TimeSpan? RetryAfter = null)
{
    public static ExerciseOutcome<T> Fail(string error, TimeSpan? retryAfter = null) => new(default, error, retryAfter);
}

/// <summary>
/// Exercises: generated as structured output (the reference solution stays on the server),
/// progressive hints, feedback on attempts with a verdict, and a guard that replaces any hint or
/// feedback that gives most of the solution away. Every call goes through the pipeline with its
/// feature (exercise, hint, feedback).
/// </summary>
public sealed class ExerciseService(IDbContextFactory<AppDbContext> db, IChatClient pipeline, LearnerProfiles profiles, TimeProvider time,
    CodeMentorMetrics metrics, Courses.CourseService courses)
{
    public const int MaxAttemptLength = 20_000;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<ExerciseOutcome<Guid>> GenerateAsync(string userId, string language, string difficulty, string? interests, CancellationToken ct = default)
    {
        var profile = await profiles.GetAsync(userId, ct);
        var args = new ExerciseArgs(language, profile.ToContext(), interests?.Trim() ?? profile.Interests, difficulty);
        if (!ExercisePrompt.Difficulties.Contains(difficulty))
        {
            return ExerciseOutcome<Guid>.Fail($"Difficulty must be one of {string.Join(", ", ExercisePrompt.Difficulties)}.");
        }
        if (!ExercisePrompt.Languages.Contains(language))
        {
            return ExerciseOutcome<Guid>.Fail($"Choose the language from the list ({string.Join(", ", ExercisePrompt.Languages)}).");
        }
        var errors = ExercisePrompt.Instance.Validate(args);
        if (errors.Count > 0)
        {
            return ExerciseOutcome<Guid>.Fail(TemplateErrors.Describe(errors));
        }
        ChatResponse response;
        try
        {
            response = await pipeline.GetResponseAsync(
                [new(ChatRole.System, ExercisePrompt.System), new(ChatRole.User, ExercisePrompt.Instance.Render(args))],
                Options(userId, ExercisePrompt.Instance.Feature, json: true), ct);
        }
        catch (LlmException ex)
        {
            return ExerciseOutcome<Guid>.Fail(ex.Message, ex.RetryAfter);
        }
        if (Parse(response.Text) is not { } generated)
        {
            return ExerciseOutcome<Guid>.Fail("The tutor's exercise came back malformed. Try again; nothing was saved.");
        }
        var starter = SolutionLeakGuard.Check(generated.StarterCode ?? "", new LeakGuardContext(generated.ReferenceSolution!, language)).Leaks
            ? StarterComment(language)
            : generated.StarterCode ?? "";
        var exercise = new Exercise
        {
            UserId = userId, Language = language, Level = profile.Level, Interests = args.Interests, Difficulty = difficulty,
            Title = Limit(generated.Title!, 200), Statement = Limit(generated.Statement!, 8000), StarterCode = Limit(starter, 20_000),
            ExamplesJson = JsonSerializer.Serialize(generated.Examples ?? [], Json), ReferenceSolution = Limit(generated.ReferenceSolution!, 20_000),
            CurrentCode = starter, CreatedAtUtc = time.GetUtcNow().UtcDateTime,
            CourseId = (await courses.StandingAsync(userId, ct)).Working?.CourseId,
        };
        await using var context = await db.CreateDbContextAsync(ct);
        context.Exercises.Add(exercise);
        await context.SaveChangesAsync(ct);
        return new ExerciseOutcome<Guid>(exercise.Id, null);
    }

    public async Task<IReadOnlyList<ExerciseSummary>> ListAsync(string userId, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        return await context.Exercises.AsNoTracking().Where(e => e.UserId == userId).OrderByDescending(e => e.CreatedAtUtc)
            .Select(e => new ExerciseSummary(e.Id, e.Title, e.Language, e.Status, e.CreatedAtUtc)).Take(100).ToListAsync(ct);
    }

    public async Task<ExerciseView?> GetAsync(string userId, Guid id, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var e = await context.Exercises.AsNoTracking().Include(x => x.Attempts).SingleOrDefaultAsync(x => x.Id == id && x.UserId == userId, ct);
        return e is null ? null : new ExerciseView(e.Id, e.Title, e.Language, e.Difficulty, e.Statement, e.StarterCode,
            JsonSerializer.Deserialize<List<ExerciseExample>>(e.ExamplesJson, Json) ?? [], e.Status, e.HintsGiven, e.CurrentCode,
            e.Status == ExerciseStatus.Open ? null : e.ReferenceSolution, e.Attempts.OrderBy(a => a.Id).ToList());
    }

    /// <summary>The next hint for the learner's current code: closer each time, never the solution.</summary>
    public Task<ExerciseOutcome<ExerciseAttempt>> HintAsync(string userId, Guid id, string attempt, CancellationToken ct = default) =>
        AskAsync(userId, id, attempt, AttemptKind.Hint, ct);

    /// <summary>Feedback on a submitted attempt; a "solved" verdict reveals the reference solution.</summary>
    public Task<ExerciseOutcome<ExerciseAttempt>> SubmitAsync(string userId, Guid id, string attempt, CancellationToken ct = default) =>
        AskAsync(userId, id, attempt, AttemptKind.Feedback, ct);

    public async Task<bool> GiveUpAsync(string userId, Guid id, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        return await context.Exercises.Where(e => e.Id == id && e.UserId == userId && e.Status == ExerciseStatus.Open)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, ExerciseStatus.GaveUp), ct) == 1;
    }

    private async Task<ExerciseOutcome<ExerciseAttempt>> AskAsync(string userId, Guid id, string attempt, AttemptKind kind, CancellationToken ct)
    {
        attempt ??= "";
        if (TextLimits.TooLong("Your code", attempt, MaxAttemptLength) is { } tooLong)
        {
            return ExerciseOutcome<ExerciseAttempt>.Fail(tooLong + " Shorten it; nothing was sent.");
        }
        if (kind == AttemptKind.Feedback && string.IsNullOrWhiteSpace(attempt))
        {
            return ExerciseOutcome<ExerciseAttempt>.Fail("Write some code before submitting it.");
        }
        await using var context = await db.CreateDbContextAsync(ct);
        var exercise = await context.Exercises.Include(e => e.Attempts).SingleOrDefaultAsync(e => e.Id == id && e.UserId == userId, ct);
        if (exercise is null)
        {
            return ExerciseOutcome<ExerciseAttempt>.Fail("This exercise does not exist or is not yours.");
        }
        if (exercise.Status != ExerciseStatus.Open)
        {
            return ExerciseOutcome<ExerciseAttempt>.Fail("This exercise is finished; start a new one.");
        }
        exercise.CurrentCode = attempt; // what the learner typed is kept whatever happens next
        await context.SaveChangesAsync(ct);

        var learner = (await profiles.GetAsync(userId, ct)).ToContext();
        List<ChatMessage> prompt = kind == AttemptKind.Hint
            ?
            [
                new(ChatRole.System, HintPrompt.System(learner, exercise.HintsGiven + 1)),
                new(ChatRole.User, HintPrompt.Instance.Render(new HintArgs(exercise.Statement, attempt, exercise.HintsGiven + 1, exercise.ReferenceSolution, learner))),
            ]
            :
            [
                new(ChatRole.System, FeedbackPrompt.System(learner)),
                new(ChatRole.User, FeedbackPrompt.Instance.Render(new FeedbackArgs(exercise.Statement, ExamplesText(exercise.ExamplesJson), attempt, learner))),
            ];
        string reply;
        try
        {
            var feature = kind == AttemptKind.Hint ? HintPrompt.Instance.Feature : FeedbackPrompt.Instance.Feature;
            reply = (await pipeline.GetResponseAsync(prompt, Options(userId, feature, json: false), ct)).Text.Trim();
        }
        catch (LlmException ex)
        {
            return ExerciseOutcome<ExerciseAttempt>.Fail(ex.Message + " Your code is saved.", ex.RetryAfter);
        }

        // The model's verdict unlocks the solution only if the attempt could really be one.
        var solved = kind == AttemptKind.Feedback && reply.StartsWith(FeedbackPrompt.SolvedVerdict, StringComparison.OrdinalIgnoreCase);
        string? verdictOverruled = null;
        if (solved && SolvedVerdictCheck.Refute(attempt, exercise.StarterCode, exercise.ReferenceSolution, exercise.Language) is { } reason)
        {
            solved = false;
            verdictOverruled = $"The tutor called this solved, but CodeMentor checked your code and {reason} Keep going, or ask for a hint.";
        }

        // Everything the learner has been shown in this exercise counts, so the solution cannot leak a piece at a time.
        var shown = exercise.Attempts.Where(a => !a.Guarded).OrderBy(a => a.Id).Select(a => a.Reply).ToList();
        // The course the learner works in decides how strict the guard is (its teacher's setting).
        var strictness = (await courses.StandingAsync(userId, ct)).Working?.LeakGuard ?? Courses.LeakGuardStrictness.Standard;
        var verdict = SolutionLeakGuard.Check(StripVerdict(reply),
            new LeakGuardContext(exercise.ReferenceSolution, exercise.Language, exercise.StarterCode, attempt, shown, strictness));
        var text = verdict.Leaks ? SolutionLeakGuard.Replacement(exercise.HintsGiven + 1, kind) : StripVerdict(reply);
        if (verdict.Leaks)
        {
            metrics.GuardFired("solution-leak", kind == AttemptKind.Hint ? Features.Hint : Features.Feedback);
        }
        if (verdictOverruled is not null)
        {
            metrics.GuardFired("solved-verdict", Features.Feedback);
            text = verdictOverruled + "\n\n" + text;
        }
        var saved = new ExerciseAttempt
        {
            ExerciseId = exercise.Id, Kind = kind, Code = attempt, Reply = text, Solved = solved, Guarded = verdict.Leaks,
            CreatedAtUtc = time.GetUtcNow().UtcDateTime,
        };
        context.ExerciseAttempts.Add(saved);
        if (kind == AttemptKind.Hint)
        {
            exercise.HintsGiven++;
        }
        if (solved)
        {
            exercise.Status = ExerciseStatus.Solved;
        }
        await context.SaveChangesAsync(ct);
        return new ExerciseOutcome<ExerciseAttempt>(saved, null);
    }

    private static ChatOptions Options(string userId, string feature, bool json) =>
        new ChatOptions { Temperature = json ? 0.8f : 0.4f, MaxOutputTokens = 2048, ResponseFormat = json ? ChatResponseFormat.Json : null }
            .WithRequestContext(new LlmRequestContext(userId, feature));

    private static string StripVerdict(string reply)
    {
        var firstLine = reply.Split('\n', 2)[0];
        return firstLine.StartsWith("VERDICT:", StringComparison.OrdinalIgnoreCase) ? reply[firstLine.Length..].TrimStart() : reply;
    }

    private static string ExamplesText(string examplesJson) => string.Join('\n',
        (JsonSerializer.Deserialize<List<ExerciseExample>>(examplesJson, Json) ?? []).Select((e, i) => $"{i + 1}. input: {e.Input} → output: {e.Output}"));

    private static string StarterComment(string language) =>
        (language.Equals("Python", StringComparison.OrdinalIgnoreCase) ? "# " : "// ") + "Write your solution here.\n";

    private static string Limit(string text, int max) => text.Length <= max ? text : text[..max];

    internal static GeneratedExercise? Parse(string text)
    {
        var json = text.Trim();
        if (json.StartsWith("```", StringComparison.Ordinal))
        {
            json = json[(json.IndexOf('\n') + 1)..];
            json = json[..Math.Max(0, json.LastIndexOf("```", StringComparison.Ordinal))];
        }
        var start = json.IndexOf('{');
        var end = json.LastIndexOf('}');
        if (start < 0 || end <= start)
        {
            return null;
        }
        try
        {
            var parsed = JsonSerializer.Deserialize<GeneratedExercise>(json[start..(end + 1)], Json);
            return parsed is { Title.Length: > 0, Statement.Length: > 0, ReferenceSolution.Length: > 0 } ? parsed : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal sealed record GeneratedExercise(
        [property: JsonPropertyName("title")] string? Title,
        [property: JsonPropertyName("statement")] string? Statement,
        [property: JsonPropertyName("starterCode")] string? StarterCode,
        [property: JsonPropertyName("examples")] List<ExerciseExample>? Examples,
        [property: JsonPropertyName("referenceSolution")] string? ReferenceSolution);
}
