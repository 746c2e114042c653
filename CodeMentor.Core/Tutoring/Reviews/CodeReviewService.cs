using System.Text;
using CodeMentor.Core.Data;
using CodeMentor.Core.Prompts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;

namespace CodeMentor.Core.Tutoring.Reviews;

/// <summary>A file the learner uploaded, as bytes (binary files are refused).</summary>
public sealed record UploadedFile(string Name, byte[] Content);

public sealed record ReviewRequest(string? PastedCode, IReadOnlyList<UploadedFile> Files, string? Language, string Level, string? Goals, string? RepositoryUrl);

public sealed record ReviewStarted(CodeReview? Review, IReadOnlyList<CodeDiagnostic> Diagnostics, GenerationRun? Run, string? Error, TimeSpan? RetryAfter = null);

public sealed record ReviewSummary(Guid Id, string Language, string Title, DateTime CreatedAtUtc);

/// <summary>
/// Code reviews: checks the input, detects the language, computes C# compiler diagnostics first,
/// saves the request, and streams the review through the pipeline (feature "review") into a
/// conversation of its own, so it survives reloads like a chat reply.
/// </summary>
public sealed class CodeReviewService(IDbContextFactory<AppDbContext> db, ConversationStore store, ConversationService conversations, LearnerProfiles profiles, TimeProvider time)
{
    public const int MaxFiles = 5;
    public const int MaxFileBytes = 100_000;

    public async Task<ReviewStarted> StartAsync(string userId, ReviewRequest request, CancellationToken ct = default)
    {
        var (code, fileNames, error) = Collect(request);
        if (error is not null)
        {
            return new ReviewStarted(null, [], null, error);
        }
        if (request.RepositoryUrl is { Length: > 0 } url && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            return new ReviewStarted(null, [], null, "The repository URL must start with http:// or https:// (it is shown as context, never fetched).");
        }
        if (!LearnerProfile.Levels.Contains(request.Level))
        {
            return new ReviewStarted(null, [], null, $"Choose your level from the list ({string.Join(", ", LearnerProfile.Levels)}).");
        }
        string language;
        if (string.IsNullOrWhiteSpace(request.Language))
        {
            language = LanguageDetector.Detect(code, fileNames.FirstOrDefault());
        }
        else if (LanguageDetector.Languages.FirstOrDefault(l => l.Equals(request.Language.Trim(), StringComparison.OrdinalIgnoreCase)) is { } known)
        {
            language = known;
        }
        else
        {
            return new ReviewStarted(null, [], null, $"Choose the language from the list ({string.Join(", ", LanguageDetector.Languages)}), or let CodeMentor detect it.");
        }
        var diagnostics = language == "C#" ? CSharpDiagnostics.Analyze(code).Diagnostics : [];
        var learner = (await profiles.GetAsync(userId, ct)).ToContext() with { Level = request.Level };
        var args = new CodeReviewArgs(code, language, learner, request.Goals?.Trim(), request.RepositoryUrl?.Trim(),
            diagnostics.Count > 0 ? string.Join('\n', diagnostics) : null);
        var errors = CodeReviewPrompt.Instance.Validate(args);
        if (errors.Count > 0)
        {
            return new ReviewStarted(null, diagnostics, null, TemplateErrors.Describe(errors));
        }

        var title = "Review: " + ReviewTitles.For(language, string.Join(", ", fileNames), code);
        var conversationId = await store.CreateAsync(userId, ConversationKind.Review, opening: null, TextLimits.Shorten(title, Conversation.MaxTitleLength), ct);
        var review = new CodeReview
        {
            UserId = userId, ConversationId = conversationId, Language = language, Level = request.Level, Goals = request.Goals?.Trim() ?? "",
            RepositoryUrl = request.RepositoryUrl?.Trim(), FileNames = string.Join(", ", fileNames), Code = code,
            Diagnostics = string.Join('\n', diagnostics), CreatedAtUtc = time.GetUtcNow().UtcDateTime,
        };
        await using (var context = await db.CreateDbContextAsync(ct))
        {
            context.CodeReviews.Add(review);
            await context.SaveChangesAsync(ct);
        }
        var sent = await conversations.SendWithPromptAsync(userId, conversationId, CodeFence.Wrap(code, language.ToLowerInvariant()),
            Prompt(learner, args), CodeReviewPrompt.Instance.Feature, ct);
        return new ReviewStarted(review, diagnostics, sent.Run, sent.Error, sent.RetryAfter);
    }

    /// <summary>Reviews the same code again (a fresh answer, not from the cache), replacing the last review.</summary>
    public async Task<SendResult> RegenerateAsync(string userId, Guid reviewId, CancellationToken ct = default)
    {
        if (await GetAsync(userId, reviewId, ct) is not { } review)
        {
            return SendResult.Refused("This review does not exist or is not yours.");
        }
        var learner = (await profiles.GetAsync(userId, ct)).ToContext() with { Level = review.Level };
        var args = new CodeReviewArgs(review.Code, review.Language, learner, review.Goals, review.RepositoryUrl,
            review.Diagnostics.Length > 0 ? review.Diagnostics : null);
        return await conversations.RegenerateWithPromptAsync(userId, review.ConversationId, Prompt(learner, args), CodeReviewPrompt.Instance.Feature, ct);
    }

    internal static List<ChatMessage> Prompt(LearnerContext learner, CodeReviewArgs args) =>
    [
        new(ChatRole.System, CodeReviewPrompt.System(learner)),
        new(ChatRole.User, CodeReviewPrompt.Instance.Render(args)),
    ];

    public async Task<IReadOnlyList<ReviewSummary>> ListAsync(string userId, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var rows = await context.CodeReviews.AsNoTracking().Where(r => r.UserId == userId).OrderByDescending(r => r.CreatedAtUtc)
            .Select(r => new { r.Id, r.Language, r.FileNames, r.Code, r.CreatedAtUtc }).Take(100).ToListAsync(ct);
        return rows.Select(r => new ReviewSummary(r.Id, r.Language, ReviewTitles.For(r.Language, r.FileNames, r.Code), r.CreatedAtUtc)).ToList();
    }

    public async Task<CodeReview?> GetAsync(string userId, Guid reviewId, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        return await context.CodeReviews.AsNoTracking().SingleOrDefaultAsync(r => r.Id == reviewId && r.UserId == userId, ct);
    }

    /// <summary>Pasted code and uploaded files as one text, with limits and binary files refused.</summary>
    internal static (string Code, List<string> FileNames, string? Error) Collect(ReviewRequest request)
    {
        if (request.Files.Count > MaxFiles)
        {
            return ("", [], $"Upload at most {MaxFiles} files at a time; you chose {request.Files.Count}.");
        }
        var parts = new List<string>();
        var names = new List<string>();
        foreach (var file in request.Files)
        {
            if (file.Content.Length > MaxFileBytes)
            {
                return ("", [], $"{file.Name} is {file.Content.Length / 1024:N0} KB; each file may be at most {MaxFileBytes / 1000} KB.");
            }
            if (Array.IndexOf(file.Content, (byte)0) >= 0 || !IsUtf8(file.Content))
            {
                return ("", [], $"{file.Name} looks like a binary file, not source code. Upload text files only.");
            }
            var text = Encoding.UTF8.GetString(file.Content).TrimStart('\uFEFF');
            names.Add(Path.GetFileName(file.Name));
            parts.Add(request.Files.Count > 1 ? $"// File: {Path.GetFileName(file.Name)}\n{text}" : text);
        }
        if (!string.IsNullOrWhiteSpace(request.PastedCode))
        {
            parts.Insert(0, request.PastedCode);
        }
        var code = string.Join("\n\n", parts);
        if (string.IsNullOrWhiteSpace(code))
        {
            return ("", [], "Paste some code or upload a file to review.");
        }
        if (MessageInputRules.LooksBinary(code))
        {
            return ("", [], "The pasted text looks like binary data, not source code.");
        }
        if (TextLimits.TooLong("The code", code, CodeReviewPrompt.MaxCodeLength) is { } tooLong)
        {
            return ("", [], tooLong + " Review it in parts; nothing was sent.");
        }
        return (code, names, null);
    }

    private static bool IsUtf8(byte[] bytes)
    {
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
