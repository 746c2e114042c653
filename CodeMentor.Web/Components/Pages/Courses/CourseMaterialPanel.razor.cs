using CodeMentor.Core.Courses.Material;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;

namespace CodeMentor.Web.Components.Pages.Courses;

/// <summary>Uploads, lists and removes a course's material; every action is checked again by
/// <see cref="CourseMaterialLibrary"/> and <see cref="MaterialIngestion"/> for the signed-in teacher. An upload is
/// indexed in the background: the panel shows the course's unfinished uploads and those of the last hour as they
/// progress — live for those this node indexes, and read again every few seconds while one is unfinished (another node
/// may be indexing it).</summary>
public sealed partial class CourseMaterialPanel : IDisposable
{
    /// <summary>How often unfinished uploads are read again (their progress is saved about once a second).</summary>
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(2);

    [Parameter, EditorRequired] public Guid CourseId { get; set; }
    [Parameter, EditorRequired] public string CourseName { get; set; } = "";
    [Parameter, EditorRequired] public string TeacherId { get; set; } = "";
    [Inject] private CourseMaterialLibrary Library { get; set; } = default!;
    [Inject] private MaterialIngestion Ingestion { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;

    private IReadOnlyList<MaterialSummary> _materials = [];
    private IReadOnlyList<MaterialJob> _jobs = [];
    private bool _reading;
    private string? _error;

    private string InputId => $"material-{CourseId:N}";

    private Guid _loadedFor;
    private bool _subscribed;
    private PeriodicTimer? _refresh;

    protected override void OnInitialized()
    {
        if (RendererInfo.IsInteractive) // the prerendered paint is a snapshot
        {
            Ingestion.Changed += OnJobChanged;
            _subscribed = true;
            _refresh = new PeriodicTimer(RefreshEvery, Time);
            _ = RefreshWhileUnfinishedAsync(_refresh);
        }
    }

    // Loaded once per course, not on every render of the courses page.
    protected override async Task OnParametersSetAsync()
    {
        if (_loadedFor != CourseId)
        {
            _loadedFor = CourseId;
            await LoadAsync();
        }
    }

    private async Task LoadAsync()
    {
        _materials = await Library.ListAsync(TeacherId, CourseId) ?? [];
        _jobs = await Ingestion.JobsAsync(TeacherId, CourseId) ?? [];
    }

    /// <summary>Raised on the indexing thread for any course's upload on this node (after every batch of passages): this
    /// course's change is applied as it comes (a new upload first, as <see cref="MaterialIngestion.JobsAsync"/> orders
    /// them), and only a finished upload reads the material list again.</summary>
    private void OnJobChanged(MaterialJob job)
    {
        if (job.CourseId != CourseId)
        {
            return;
        }
        _ = InvokeAsync(async () =>
        {
            _jobs = _jobs.Any(j => j.Id == job.Id) ? _jobs.Select(j => j.Id == job.Id ? job : j).ToList() : [job, .. _jobs];
            if (job.Finished)
            {
                _materials = await Library.ListAsync(TeacherId, CourseId) ?? [];
            }
            StateHasChanged();
        });
    }

    private async Task RefreshWhileUnfinishedAsync(PeriodicTimer timer)
    {
        try
        {
            while (await timer.WaitForNextTickAsync())
            {
                if (_jobs.All(j => j.Finished))
                {
                    continue;
                }
                await InvokeAsync(async () =>
                {
                    try
                    {
                        var finished = _jobs.Count(j => j.Finished);
                        _jobs = await Ingestion.JobsAsync(TeacherId, CourseId) ?? [];
                        if (_jobs.Count(j => j.Finished) != finished)
                        {
                            _materials = await Library.ListAsync(TeacherId, CourseId) ?? [];
                        }
                        StateHasChanged();
                    }
                    catch (System.Data.Common.DbException)
                    {
                        // The database did not answer this time: the panel keeps what it shows and asks again.
                    }
                });
            }
        }
        catch (ObjectDisposedException)
        {
            // The circuit went away; the uploads carry on without it.
        }
    }

    private async Task UploadAsync(InputFileChangeEventArgs e)
    {
        _error = null;
        var file = e.File;
        if (file.Size > CourseMaterial.MaxBytes)
        {
            _error = $"\"{file.Name}\" is {file.Size / 1024.0 / 1024.0:0.#} MB; material can be at most {CourseMaterial.MaxBytes / 1024 / 1024} MB per file.";
            return;
        }
        _reading = true;
        try
        {
            using var content = new MemoryStream();
            await using (var stream = file.OpenReadStream(CourseMaterial.MaxBytes))
            {
                await stream.CopyToAsync(content);
            }
            var (_, error) = await Ingestion.EnqueueAsync(TeacherId, CourseId, file.Name, content.ToArray());
            _error = error;
            _jobs = await Ingestion.JobsAsync(TeacherId, CourseId) ?? [];
        }
        catch (IOException ex)
        {
            _error = $"\"{file.Name}\" could not be read from your browser ({ex.Message}); nothing was added.";
        }
        finally
        {
            _reading = false;
        }
    }

    private async Task RemoveAsync(MaterialSummary material)
    {
        _error = await Library.RemoveAsync(TeacherId, CourseId, material.Id);
        await LoadAsync();
    }

    private static string Passages(int count) => count == 1 ? "1 passage" : $"{count:N0} passages";

    public void Dispose()
    {
        if (_subscribed)
        {
            Ingestion.Changed -= OnJobChanged;
        }
        _refresh?.Dispose();
    }
}
