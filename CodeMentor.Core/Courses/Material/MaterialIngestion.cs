using System.Threading.Channels;
using CodeMentor.Core.Data;
using CodeMentor.Core.SharedState;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CodeMentor.Core.Courses.Material;

public enum MaterialJobState
{
    Queued,
    Indexing,
    Added,
    Refused,
}

/// <summary>Where an upload stands: queued, being indexed (passages embedded so far, of how many), added (the material,
/// null if removed since), or refused and why.</summary>
public sealed record MaterialJob(Guid Id, Guid CourseId, string FileName, MaterialJobState State, int Embedded = 0, int Passages = 0,
    MaterialSummary? Added = null, string? Error = null)
{
    public bool Finished => State is MaterialJobState.Added or MaterialJobState.Refused;
}

/// <summary>
/// Indexes uploaded material in the background, one file at a time per node: the teacher's page hands the file over
/// and may be left or reloaded while it is split and embedded, and every teacher of the course sees its progress and
/// outcome. One at a time, so uploads queue instead of competing with each other (and with learners' questions) for
/// the cores. The queue is the database (<see cref="MaterialUpload"/>): a file waiting or half indexed when its node
/// stops (or dies) is indexed again when a node is there to do it — at this node's next start, or, with several nodes,
/// by any node (each claims a file before indexing it; one whose heartbeat stopped has its file queued again). Finished
/// uploads are shown for <see cref="KeepFinished"/>, then forgotten. Between uploads, passages indexed before sentence windows
/// existed get theirs (<see cref="CourseMaterialLibrary.AddMissingWindowsAsync"/>), once per start of the node.
/// </summary>
public sealed partial class MaterialIngestion(CourseMaterialLibrary library, IDbContextFactory<AppDbContext> db, DatabaseWriter writer,
    NodeIdentity node, SharedStateMode sharedState, IServiceProvider services, TimeProvider time, ILogger<MaterialIngestion> logger)
    : BackgroundService
{
    public static readonly TimeSpan KeepFinished = TimeSpan.FromHours(1);

    /// <summary>How often a node looks for files queued elsewhere (another node, or left by a node that stopped).</summary>
    public static readonly TimeSpan LookEvery = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan ForgetEvery = TimeSpan.FromMinutes(5);

    // Where the catch-up of passages without sentence windows goes on; null once done (material added since has them).
    private long? _windowsAfter = 0;
    private DateTimeOffset _forgotAt = DateTimeOffset.MinValue;

    /// <summary>How often an upload's progress is written for other nodes' pages (this node's pages get every step).</summary>
    private static readonly TimeSpan SaveProgressEvery = TimeSpan.FromSeconds(1);

    // A file queued on this node is started at once instead of at the next look.
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Raised (on the indexing thread) whenever a job of this node changes, with the job as it now is: an open
    /// page applies it. Pages also read the jobs again while one is unfinished, for jobs another node runs.</summary>
    public event Action<MaterialJob>? Changed;

    /// <summary>Queues a file for the course; refused at once (and never queued) for anyone but one of its teachers, for
    /// a file too big or without a usable name, and while the course has <see cref="MaterialUpload.MaxUnfinishedPerCourse"/>
    /// files waiting.</summary>
    public async Task<(MaterialJob? Job, string? Error)> EnqueueAsync(string teacherId, Guid courseId, string fileName, byte[] content,
        CancellationToken ct = default)
    {
        if (!await TeachesAsync(teacherId, courseId, ct))
        {
            return (null, CourseMaterialLibrary.NotYourCourse);
        }
        var name = Path.GetFileName(fileName ?? "").Trim();
        if (CourseMaterialLibrary.CheckFile(name, content.LongLength) is { } refused)
        {
            return (null, refused);
        }
        var now = time.GetUtcNow().UtcDateTime;
        var upload = new MaterialUpload
        {
            Id = Guid.NewGuid(), CourseId = courseId, UploadedByUserId = teacherId, FileName = name, Content = content,
            State = MaterialJobState.Queued, QueuedAtUtc = now, ChangedAtUtc = now,
        };
        var error = await writer.WriteAsync(async (context, token) =>
        {
            var unfinished = await context.MaterialUploads.CountAsync(u => u.CourseId == courseId
                && (u.State == MaterialJobState.Queued || u.State == MaterialJobState.Indexing), token);
            if (unfinished >= MaterialUpload.MaxUnfinishedPerCourse)
            {
                return $"{unfinished} files of this course are still waiting to be indexed; add \"{name}\" once some of them are done.";
            }
            context.MaterialUploads.Add(upload);
            await context.SaveChangesAsync(token);
            return (string?)null;
        });
        if (error is not null)
        {
            return (null, error);
        }
        var job = JobOf(upload, null);
        Changed?.Invoke(job);
        _wake.Writer.TryWrite(true);
        return (job, null);
    }

    /// <summary>The course's uploads still waiting or indexed, and those finished in the last hour, newest first; null for
    /// anyone but its teachers.</summary>
    public async Task<IReadOnlyList<MaterialJob>?> JobsAsync(string teacherId, Guid courseId, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        if (!await CourseService.TeachesAsync(context, teacherId, courseId, ct))
        {
            return null;
        }
        var since = time.GetUtcNow().UtcDateTime - KeepFinished;
        var uploads = await context.MaterialUploads.AsNoTracking()
            .Where(u => u.CourseId == courseId && ((u.State != MaterialJobState.Added && u.State != MaterialJobState.Refused) || u.ChangedAtUtc > since))
            .Select(u => new MaterialUpload
            {
                Id = u.Id, CourseId = u.CourseId, FileName = u.FileName, State = u.State, Embedded = u.Embedded, Passages = u.Passages,
                Error = u.Error, QueuedAtUtc = u.QueuedAtUtc,
            })
            .ToListAsync(ct);
        var addedIds = uploads.Where(u => u.State == MaterialJobState.Added).Select(u => u.Id).ToList();
        var materials = await context.CourseMaterials.AsNoTracking().Where(m => addedIds.Contains(m.Id)).ToDictionaryAsync(m => m.Id, ct);
        return uploads.OrderByDescending(u => u.QueuedAtUtc).ThenByDescending(u => u.Id)
            .Select(u => JobOf(u, materials.TryGetValue(u.Id, out var m) ? CourseMaterialLibrary.Summary(m) : null)).ToList();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RequeueAbandonedAsync(stoppingToken);
                await ForgetFinishedAsync(stoppingToken);
                while (await ClaimNextAsync(stoppingToken) is { } upload)
                {
                    await IndexAsync(upload, stoppingToken);
                }
                if (await AddMissingWindowsAsync(stoppingToken))
                {
                    continue;
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The database not answering: the files stay queued; look again in a moment.
                LogQueueUnavailable(logger, ex);
            }
            await WaitForWorkAsync(stoppingToken);
        }
    }

    /// <summary>One step of giving material indexed before sentence windows existed its windows; true while there is more.
    /// A step that fails ends the catch-up until the node's next start (the material is still searched, by its passages).</summary>
    private async Task<bool> AddMissingWindowsAsync(CancellationToken stoppingToken)
    {
        if (_windowsAfter is not { } after)
        {
            return false;
        }
        try
        {
            _windowsAfter = await library.AddMissingWindowsAsync(after, CourseMaterialLibrary.WindowCatchUpStep, stoppingToken);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            LogWindowsNotAdded(logger, ex, after);
            _windowsAfter = null;
        }
        return _windowsAfter is not null;
    }

    private async Task WaitForWorkAsync(CancellationToken stoppingToken)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        await Task.WhenAny(Task.Delay(LookEvery, time, waiting.Token), _wake.Reader.WaitToReadAsync(waiting.Token).AsTask());
        await waiting.CancelAsync();
        _wake.Reader.TryRead(out _);
    }

    /// <summary>Queues again the files being indexed by no one: this node's own (called between files, so one still
    /// marked as indexing here was cut off by an error), on a lone node any other node's (a process before this one),
    /// with several those of nodes whose heartbeat stopped. Nothing of theirs was stored (a file is stored in one
    /// transaction, and one that was is recognised by its id when claimed again).</summary>
    private async Task RequeueAbandonedAsync(CancellationToken ct)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var nodes = await context.MaterialUploads.Where(u => u.State == MaterialJobState.Indexing).Select(u => u.Node).Distinct().ToListAsync(ct);
        var registry = sharedState.Distributed ? services.GetRequiredService<RedisNodeRegistry>() : null;
        foreach (var other in nodes)
        {
            if (other is not null && other != node.Id && registry is not null && await registry.IsAliveAsync(other))
            {
                continue;
            }
            var requeued = await writer.WriteAsync((c, token) => Requeue(c.MaterialUploads.Where(u => u.State == MaterialJobState.Indexing && u.Node == other), token));
            if (requeued > 0)
            {
                LogRequeued(logger, requeued, other ?? "(unnamed)");
            }
        }
    }

    /// <param name="cleanStop">The node is stopping cleanly: the attempt was not the file's fault and is given back.</param>
    private Task<int> Requeue(IQueryable<MaterialUpload> uploads, CancellationToken ct, bool cleanStop = false)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var givenBack = cleanStop ? 1 : 0;
        return uploads.ExecuteUpdateAsync(s => s.SetProperty(u => u.State, MaterialJobState.Queued).SetProperty(u => u.Node, (string?)null)
            .SetProperty(u => u.Embedded, 0).SetProperty(u => u.Passages, 0).SetProperty(u => u.Attempts, u => u.Attempts - givenBack)
            .SetProperty(u => u.ChangedAtUtc, now), ct);
    }

    private async Task ForgetFinishedAsync(CancellationToken ct)
    {
        // Not at every look: a delete is a write transaction, and finished uploads are hidden by age anyway.
        if (time.GetUtcNow() - _forgotAt < ForgetEvery)
        {
            return;
        }
        _forgotAt = time.GetUtcNow();
        var before = time.GetUtcNow().UtcDateTime - KeepFinished;
        await writer.WriteAsync((context, token) => context.MaterialUploads
            .Where(u => (u.State == MaterialJobState.Added || u.State == MaterialJobState.Refused) && u.ChangedAtUtc < before).ExecuteDeleteAsync(token));
    }

    /// <summary>The oldest queued file, claimed for this node (another node may claim the same one first: then the next).</summary>
    private async Task<MaterialUpload?> ClaimNextAsync(CancellationToken ct)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        while (true)
        {
            var next = await context.MaterialUploads.Where(u => u.State == MaterialJobState.Queued)
                .OrderBy(u => u.QueuedAtUtc).ThenBy(u => u.Id).Select(u => (Guid?)u.Id).FirstOrDefaultAsync(ct);
            if (next is not { } id)
            {
                return null;
            }
            var now = time.GetUtcNow().UtcDateTime;
            var claimed = await writer.WriteAsync((c, token) => c.MaterialUploads.Where(u => u.Id == id && u.State == MaterialJobState.Queued)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.State, MaterialJobState.Indexing).SetProperty(u => u.Node, node.Id)
                    .SetProperty(u => u.Attempts, u => u.Attempts + 1).SetProperty(u => u.ChangedAtUtc, now), token));
            if (claimed == 1)
            {
                return await context.MaterialUploads.AsNoTracking().SingleAsync(u => u.Id == id, ct);
            }
        }
    }

    private async Task IndexAsync(MaterialUpload upload, CancellationToken stoppingToken)
    {
        var job = JobOf(upload, null);
        Changed?.Invoke(job);
        try
        {
            await using (var context = await db.CreateDbContextAsync(stoppingToken))
            {
                // Stored by a node that stopped before it could say so: done.
                if (await context.CourseMaterials.AsNoTracking().SingleOrDefaultAsync(m => m.Id == upload.Id, stoppingToken) is { } stored)
                {
                    await FinishAsync(job with { State = MaterialJobState.Added, Added = CourseMaterialLibrary.Summary(stored) });
                    return;
                }
            }
            if (upload.Attempts > MaterialUpload.MaxAttempts)
            {
                await FinishAsync(job with { State = MaterialJobState.Refused, Error = $"Indexing \"{job.FileName}\" was cut off " +
                    $"{MaterialUpload.MaxAttempts} times by the server stopping during it; nothing was added. An administrator can look for the cause in the server's log." });
                return;
            }
            var saved = time.GetUtcNow();
            var (added, error) = await library.UploadAsync(upload.UploadedByUserId, upload.CourseId, upload.FileName, upload.Content ?? [],
                ct: stoppingToken, materialId: upload.Id, progress: (embedded, passages) =>
                {
                    job = job with { Embedded = embedded, Passages = passages };
                    Changed?.Invoke(job);
                    if (time.GetUtcNow() - saved >= SaveProgressEvery || embedded == 0)
                    {
                        saved = time.GetUtcNow();
                        _ = SaveProgressAsync(job);
                    }
                });
            await FinishAsync(added is not null
                ? job with { State = MaterialJobState.Added, Added = added }
                : job with { State = MaterialJobState.Refused, Error = error });
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the file goes back to the queue, for this node's next start or another node.
            await using var context = await db.CreateDbContextAsync(CancellationToken.None);
            await Requeue(context.MaterialUploads.Where(u => u.Id == upload.Id && u.State == MaterialJobState.Indexing), CancellationToken.None,
                cleanStop: true);
            Changed?.Invoke(job with { State = MaterialJobState.Queued, Embedded = 0, Passages = 0 });
            throw;
        }
        catch (Exception ex)
        {
            LogIndexingFailed(logger, ex, job.FileName, job.CourseId);
            await FinishAsync(job with { State = MaterialJobState.Refused, Error = $"\"{job.FileName}\" could not be indexed ({ex.GetType().Name}); nothing was added." });
        }
    }

    /// <summary>Progress for other nodes' pages; a late write never moves a finished upload or its count back.</summary>
    private async Task SaveProgressAsync(MaterialJob job)
    {
        try
        {
            await writer.WriteAsync((context, token) => context.MaterialUploads
                .Where(u => u.Id == job.Id && u.State == MaterialJobState.Indexing && u.Embedded <= job.Embedded)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.Embedded, job.Embedded).SetProperty(u => u.Passages, job.Passages), token));
        }
        catch (Exception ex)
        {
            LogProgressNotSaved(logger, ex, job.FileName);
        }
    }

    /// <summary>Records the outcome and drops the file (the material keeps only its passages).</summary>
    private async Task FinishAsync(MaterialJob job)
    {
        var error = job.Error is { Length: > 1000 } tooLong ? tooLong[..1000] : job.Error;
        var now = time.GetUtcNow().UtcDateTime;
        await writer.WriteAsync((context, token) => context.MaterialUploads.Where(u => u.Id == job.Id).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.State, job.State).SetProperty(u => u.Error, error).SetProperty(u => u.Embedded, job.Embedded)
            .SetProperty(u => u.Passages, job.Passages).SetProperty(u => u.Content, (byte[]?)null).SetProperty(u => u.Node, (string?)null)
            .SetProperty(u => u.ChangedAtUtc, now), token));
        Changed?.Invoke(job);
    }

    private static MaterialJob JobOf(MaterialUpload u, MaterialSummary? added) =>
        new(u.Id, u.CourseId, u.FileName, u.State, u.Embedded, u.Passages, added, u.Error);

    private async Task<bool> TeachesAsync(string teacherId, Guid courseId, CancellationToken ct)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        return await CourseService.TeachesAsync(context, teacherId, courseId, ct);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Indexing {FileName} for course {CourseId} failed")]
    private static partial void LogIndexingFailed(ILogger logger, Exception ex, string fileName, Guid courseId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read or update the queue of material uploads; trying again shortly")]
    private static partial void LogQueueUnavailable(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queued {Count} material uploads again, left half indexed by node {Node}")]
    private static partial void LogRequeued(ILogger logger, int count, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not add sentence windows to the passages after {PassageId}; their material is searched without them until the next start")]
    private static partial void LogWindowsNotAdded(ILogger logger, Exception ex, long passageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not save the indexing progress of {FileName}")]
    private static partial void LogProgressNotSaved(ILogger logger, Exception ex, string fileName);
}
