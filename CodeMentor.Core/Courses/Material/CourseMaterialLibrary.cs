using CodeMentor.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CodeMentor.Core.Courses.Material;

/// <summary>A material as the course page lists it.</summary>
public sealed record MaterialSummary(Guid Id, string Title, string FileName, MaterialKind Kind, long SizeBytes, int PassageCount, DateTime UploadedAtUtc);

/// <summary>A passage as a citation opens it: where it comes from, and its text.</summary>
public sealed record PassageView(long Id, Guid CourseId, string CourseName, Guid MaterialId, string MaterialTitle, string Section, int? Page, string Text);

/// <summary>
/// A course's material: teachers of the course upload and remove it; its teachers and learners read the
/// passages a tutor reply cites. An upload is split (<see cref="MaterialSplitter"/>), embedded
/// (<see cref="TextEmbedder"/>) and stored in one transaction, or refused whole with a message that says why.
/// </summary>
public sealed partial class CourseMaterialLibrary(IDbContextFactory<AppDbContext> db, DatabaseWriter writer, TextEmbedder embedder,
    TimeProvider time, ILogger<CourseMaterialLibrary> logger)
{
    public const string NotYourCourse = "That course is not one you teach.";
    public const string NotFound = "That passage does not exist, or its course is not one of yours.";

    /// <summary>The most passages one course holds (about 9 MB of text and 140 MB of embeddings, its windows' included).</summary>
    public const int MaxPassagesPerCourse = 20_000;

    /// <param name="progress">Called, once the file is split, with how many of its passages are embedded so far and of how many.</param>
    /// <param name="materialId">The new material's id (a new one if null): the background indexing gives its upload's,
    /// so that indexing the same upload again cannot add it twice.</param>
    public async Task<(MaterialSummary? Material, string? Error)> UploadAsync(string teacherId, Guid courseId, string fileName, byte[] content,
        string? title = null, CancellationToken ct = default, Action<int, int>? progress = null, Guid? materialId = null)
    {
        fileName = Path.GetFileName(fileName ?? "").Trim();
        if (CheckFile(fileName, content.LongLength) is { } refused)
        {
            return (null, refused);
        }
        await using (var context = await db.CreateDbContextAsync(ct))
        {
            if (!await CourseService.TeachesAsync(context, teacherId, courseId, ct))
            {
                return (null, NotYourCourse);
            }
        }
        SplitMaterial split;
        try
        {
            // Parsing and embedding are CPU work: off the caller's thread (a circuit or a request).
            split = await Task.Run(() => MaterialSplitter.Split(fileName, content), ct);
        }
        catch (MaterialRejectedException ex)
        {
            return (null, ex.Message);
        }
        // One title, for the list, the citations and what the embedder reads.
        var materialTitle = Shorten(string.IsNullOrWhiteSpace(title) ? split.Title ?? Path.GetFileNameWithoutExtension(fileName) : title.Trim(),
            CourseMaterial.MaxTitleLength);
        progress?.Invoke(0, split.Passages.Count);
        var embeddings = await Task.Run(() => Embed(materialTitle, split.Passages, ct, progress), ct);
        var material = new CourseMaterial
        {
            Id = materialId ?? Guid.NewGuid(), CourseId = courseId, FileName = fileName, Kind = MaterialSplitter.KindOf(fileName)!.Value,
            Title = materialTitle,
            SizeBytes = content.LongLength, PassageCount = split.Passages.Count, UploadedAtUtc = time.GetUtcNow().UtcDateTime,
            UploadedByUserId = teacherId,
        };
        var error = await writer.WriteAsync(async (context, token) =>
        {
            var held = await context.CourseMaterials.Where(m => m.CourseId == courseId).SumAsync(m => m.PassageCount, token);
            if (held + split.Passages.Count > MaxPassagesPerCourse)
            {
                return $"The course would hold {held + split.Passages.Count:N0} passages; the most is {MaxPassagesPerCourse:N0}. Remove some material first.";
            }
            context.CourseMaterials.Add(material);
            context.CoursePassages.AddRange(split.Passages.Select((p, i) => new CoursePassage
            {
                MaterialId = material.Id, CourseId = courseId, Ordinal = i, Section = p.Section, Page = p.Page, Text = p.Text,
                Embedding = TextEmbedder.ToBytes(embeddings[i].Passage), WindowEmbeddings = TextEmbedder.ToBytes(embeddings[i].Windows),
            }));
            await context.SaveChangesAsync(token);
            await context.Courses.Where(c => c.Id == courseId).ExecuteUpdateAsync(s => s.SetProperty(c => c.MaterialVersion, c => c.MaterialVersion + 1), token);
            return (string?)null;
        });
        if (error is not null)
        {
            return (null, error);
        }
        LogUploaded(logger, material.Id, courseId, material.Kind, material.PassageCount);
        return (Summary(material), null);
    }

    /// <summary>Why a file cannot be material whatever it holds (its name, its size); null if it may be.</summary>
    public static string? CheckFile(string fileName, long length) =>
        fileName.Length is 0 or > CourseMaterial.MaxFileNameLength ? "The file needs a name of at most 255 characters."
        : length > CourseMaterial.MaxBytes
            ? $"\"{fileName}\" is {length / 1024.0 / 1024.0:0.#} MB; material can be at most {CourseMaterial.MaxBytes / 1024 / 1024} MB per file."
            : null;

    /// <summary>Each passage's embedding and its windows' (<see cref="PassageWindows"/>, one after another), in one run of
    /// the embedder; progress is the share of all texts embedded, counted in passages. A passage with no sentence has its
    /// own embedding as its one window, as the catch-up of <see cref="AddMissingWindowsAsync"/> gives it: no windows
    /// stored means only "indexed before windows existed".</summary>
    private (float[] Passage, float[] Windows)[] Embed(string materialTitle, IReadOnlyList<PassageDraft> passages, CancellationToken ct,
        Action<int, int>? progress)
    {
        var groups = passages.Select(p => (IReadOnlyList<string>)[EmbeddingText(materialTitle, p), .. PassageWindows.Of(p.Section, p.Text)]).ToList();
        var vectors = embedder.EmbedGroups(groups, ct, progress is null ? null : (textsDone, texts) =>
            progress((int)((long)textsDone * passages.Count / texts), passages.Count));
        return vectors.Select(v => (v[..TextEmbedder.Dimensions], v.Length == TextEmbedder.Dimensions ? v[..TextEmbedder.Dimensions] : v[TextEmbedder.Dimensions..])).ToArray();
    }

    /// <summary>How many passages one step of <see cref="AddMissingWindowsAsync"/> embeds windows for: about a second of the
    /// embedder's work, so a queued upload waits at most that long behind it.</summary>
    public const int WindowCatchUpStep = 32;

    /// <summary>
    /// Embeds the sentence windows of up to <paramref name="max"/> passages, after <paramref name="afterId"/>, that were
    /// indexed before windows existed (and are ranked without them until then). A passage with no sentence at all gets its
    /// own embedding as its one window, the same ranking it has without, so it is not looked at again. A course's material
    /// version moves on, and its held vectors are reloaded, once none of its passages lacks windows — not at every step,
    /// as a reload reads every embedding of the course; until then it is ranked as before.
    /// </summary>
    /// <returns>The last passage looked at, where the next step starts; null when no passage after <paramref name="afterId"/> lacks windows.</returns>
    internal async Task<long?> AddMissingWindowsAsync(long afterId, int max, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var rows = await context.CoursePassages.AsNoTracking().Where(p => p.Id > afterId && p.WindowEmbeddings.Length == 0)
            .OrderBy(p => p.Id).Take(max).Select(p => new { p.Id, p.CourseId, p.Section, p.Text, p.Embedding }).ToListAsync(ct);
        if (rows.Count == 0)
        {
            return null;
        }
        var windows = rows.Select(r => PassageWindows.Of(r.Section, r.Text)).ToList();
        var vectors = await Task.Run(() => embedder.EmbedGroups(windows, ct), ct);
        var stored = rows.Select((r, i) => windows[i].Count == 0 ? r.Embedding : TextEmbedder.ToBytes(vectors[i])).ToArray();
        var courses = rows.Select(r => r.CourseId).Distinct().ToList();
        var completed = await writer.WriteAsync(async (write, token) =>
        {
            for (var i = 0; i < rows.Count; i++)
            {
                var id = rows[i].Id;
                var bytes = stored[i];
                // Another node may have done it meanwhile: the same windows, kept.
                await write.CoursePassages.Where(p => p.Id == id && p.WindowEmbeddings.Length == 0)
                    .ExecuteUpdateAsync(s => s.SetProperty(p => p.WindowEmbeddings, bytes), token);
            }
            var done = new List<Guid>();
            foreach (var courseId in courses)
            {
                if (!await write.CoursePassages.AnyAsync(p => p.CourseId == courseId && p.WindowEmbeddings.Length == 0, token))
                {
                    await write.Courses.Where(c => c.Id == courseId).ExecuteUpdateAsync(s => s.SetProperty(c => c.MaterialVersion, c => c.MaterialVersion + 1), token);
                    done.Add(courseId);
                }
            }
            return done;
        });
        foreach (var courseId in completed)
        {
            LogWindowsCaughtUp(logger, courseId);
        }
        return rows[^1].Id;
    }

    /// <summary>What the embedder reads of a passage: its document and headings say what it is about.</summary>
    internal static string EmbeddingText(string materialTitle, PassageDraft passage) =>
        $"{materialTitle} — {passage.Section}\n{passage.Text}";

    /// <summary>The course's material, newest first; null when the user neither teaches nor learns in the course.</summary>
    public async Task<IReadOnlyList<MaterialSummary>?> ListAsync(string userId, Guid courseId, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        if (!await context.CourseMembers.AnyAsync(m => m.CourseId == courseId && m.UserId == userId, ct))
        {
            return null;
        }
        var rows = await context.CourseMaterials.AsNoTracking().Where(m => m.CourseId == courseId).ToListAsync(ct);
        return rows.OrderByDescending(m => m.UploadedAtUtc).Select(Summary).ToList();
    }

    public async Task<string?> RemoveAsync(string teacherId, Guid courseId, Guid materialId, CancellationToken ct = default) =>
        await writer.WriteAsync(async (context, token) =>
        {
            if (!await CourseService.TeachesAsync(context, teacherId, courseId, token))
            {
                return NotYourCourse;
            }
            await context.CoursePassages.Where(p => p.MaterialId == materialId && p.CourseId == courseId).ExecuteDeleteAsync(token);
            var removed = await context.CourseMaterials.Where(m => m.Id == materialId && m.CourseId == courseId).ExecuteDeleteAsync(token);
            await context.Courses.Where(c => c.Id == courseId).ExecuteUpdateAsync(s => s.SetProperty(c => c.MaterialVersion, c => c.MaterialVersion + 1), token);
            return removed == 0 ? "That material is not in the course (any more)." : null;
        });

    /// <summary>A passage for a teacher or learner of its course; null for anyone else.</summary>
    public async Task<PassageView?> PassageAsync(string userId, Guid courseId, long passageId, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        return await context.CoursePassages.AsNoTracking()
            .Where(p => p.Id == passageId && p.CourseId == courseId && context.CourseMembers.Any(m => m.CourseId == courseId && m.UserId == userId))
            .Select(p => new PassageView(p.Id, p.CourseId, context.Courses.Where(c => c.Id == p.CourseId).Select(c => c.Name).First(), p.MaterialId,
                context.CourseMaterials.Where(m => m.Id == p.MaterialId).Select(m => m.Title).First(), p.Section, p.Page, p.Text))
            .SingleOrDefaultAsync(ct);
    }

    internal static MaterialSummary Summary(CourseMaterial m) => new(m.Id, m.Title, m.FileName, m.Kind, m.SizeBytes, m.PassageCount, m.UploadedAtUtc);

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..max];

    [LoggerMessage(Level = LogLevel.Information, Message = "Every passage of course {CourseId} now has its sentence windows (material indexed before they existed)")]
    private static partial void LogWindowsCaughtUp(ILogger logger, Guid courseId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Material {MaterialId} ({Kind}, {Passages} passages) added to course {CourseId}")]
    private static partial void LogUploaded(ILogger logger, Guid materialId, Guid courseId, MaterialKind kind, int passages);
}
