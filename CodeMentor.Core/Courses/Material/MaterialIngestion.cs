using System.Collections.Concurrent;
using System.Threading.Channels;
using CodeMentor.Core.Data;
using Microsoft.EntityFrameworkCore;
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

/// <summary>Where an upload stands: queued, being indexed (passages embedded so far, of how many), added, or refused and why.</summary>
public sealed record MaterialJob(Guid Id, Guid CourseId, string FileName, MaterialJobState State, int Embedded = 0, int Passages = 0,
    MaterialSummary? Added = null, string? Error = null)
{
    public bool Finished => State is MaterialJobState.Added or MaterialJobState.Refused;
}

/// <summary>
/// Indexes uploaded material in the background, one file at a time on this node: the teacher's page hands the file over
/// and may be left or reloaded while it is split and embedded, and every teacher of the course sees its progress and
/// outcome. One at a time, so uploads queue instead of competing with each other (and with learners' questions) for
/// the cores. Jobs live in memory: a restart loses the queued ones (nothing half-written: a file is stored in one
/// transaction), and finished ones are forgotten after <see cref="KeepFinished"/>.
/// </summary>
public sealed partial class MaterialIngestion(CourseMaterialLibrary library, IDbContextFactory<AppDbContext> db, TimeProvider time,
    ILogger<MaterialIngestion> logger) : BackgroundService
{
    public static readonly TimeSpan KeepFinished = TimeSpan.FromHours(1);

    private sealed record Work(Guid JobId, string TeacherId, byte[] Content);

    private readonly Channel<Work> _queue = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<Guid, (MaterialJob Job, DateTimeOffset Changed, long Order)> _jobs = new();
    private long _changes; // orders the jobs by their last change, whatever the clock's resolution

    /// <summary>Raised (on the indexing thread) whenever a job changes, with the job as it now is: an open page applies it.</summary>
    public event Action<MaterialJob>? Changed;

    /// <summary>Queues a file for the course; refused at once (and never queued) for anyone but one of its teachers.</summary>
    public async Task<(MaterialJob? Job, string? Error)> EnqueueAsync(string teacherId, Guid courseId, string fileName, byte[] content,
        CancellationToken ct = default)
    {
        if (!await TeachesAsync(teacherId, courseId, ct))
        {
            return (null, CourseMaterialLibrary.NotYourCourse);
        }
        var job = new MaterialJob(Guid.NewGuid(), courseId, Path.GetFileName(fileName ?? "").Trim(), MaterialJobState.Queued);
        Update(job);
        if (!_queue.Writer.TryWrite(new Work(job.Id, teacherId, content)))
        {
            Update(job with { State = MaterialJobState.Refused, Error = "The server is shutting down; upload the file again in a moment." });
        }
        return (job, null);
    }

    /// <summary>The course's uploads of the last hour on this node, newest first; null for anyone but its teachers.</summary>
    public async Task<IReadOnlyList<MaterialJob>?> JobsAsync(string teacherId, Guid courseId, CancellationToken ct = default)
    {
        if (!await TeachesAsync(teacherId, courseId, ct))
        {
            return null;
        }
        var now = time.GetUtcNow();
        foreach (var (id, entry) in _jobs)
        {
            if (entry.Job.Finished && now - entry.Changed > KeepFinished)
            {
                _jobs.TryRemove(id, out _);
            }
        }
        return _jobs.Values.Where(e => e.Job.CourseId == courseId).OrderByDescending(e => e.Order).Select(e => e.Job).ToList();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var work in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            if (!_jobs.TryGetValue(work.JobId, out var entry))
            {
                continue;
            }
            var job = entry.Job with { State = MaterialJobState.Indexing };
            Update(job);
            try
            {
                var (added, error) = await library.UploadAsync(work.TeacherId, job.CourseId, job.FileName, work.Content, ct: stoppingToken,
                    progress: (embedded, passages) => Update(job = job with { Embedded = embedded, Passages = passages }));
                Update(added is not null
                    ? job with { State = MaterialJobState.Added, Added = added }
                    : job with { State = MaterialJobState.Refused, Error = error });
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                Update(job with { State = MaterialJobState.Refused, Error = "The server stopped while indexing this file; nothing was added. Upload it again." });
                throw;
            }
            catch (Exception ex)
            {
                LogIndexingFailed(logger, ex, job.FileName, job.CourseId);
                Update(job with { State = MaterialJobState.Refused, Error = $"\"{job.FileName}\" could not be indexed ({ex.GetType().Name}); nothing was added." });
            }
        }
    }

    private void Update(MaterialJob job)
    {
        _jobs[job.Id] = (job, time.GetUtcNow(), Interlocked.Increment(ref _changes));
        Changed?.Invoke(job);
    }

    private async Task<bool> TeachesAsync(string teacherId, Guid courseId, CancellationToken ct)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        return await CourseService.TeachesAsync(context, teacherId, courseId, ct);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Indexing {FileName} for course {CourseId} failed")]
    private static partial void LogIndexingFailed(ILogger logger, Exception ex, string fileName, Guid courseId);
}
