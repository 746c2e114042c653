using CodeMentor.Core.Courses.Material;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;

namespace CodeMentor.Web.Components.Pages.Courses;

/// <summary>Uploads, lists and removes a course's material; every action is checked again by
/// <see cref="CourseMaterialLibrary"/> for the signed-in teacher.</summary>
public partial class CourseMaterialPanel
{
    [Parameter, EditorRequired] public Guid CourseId { get; set; }
    [Parameter, EditorRequired] public string CourseName { get; set; } = "";
    [Parameter, EditorRequired] public string TeacherId { get; set; } = "";
    [Inject] private CourseMaterialLibrary Library { get; set; } = default!;

    private IReadOnlyList<MaterialSummary> _materials = [];
    private bool _uploading;
    private string? _uploadingName;
    private string? _error;
    private string? _added;

    private string InputId => $"material-{CourseId:N}";

    private Guid _loadedFor;

    // Loaded once per course, not on every render of the courses page.
    protected override async Task OnParametersSetAsync()
    {
        if (_loadedFor != CourseId)
        {
            _loadedFor = CourseId;
            await LoadAsync();
        }
    }

    private async Task LoadAsync() => _materials = await Library.ListAsync(TeacherId, CourseId) ?? [];

    private async Task UploadAsync(InputFileChangeEventArgs e)
    {
        _error = _added = null;
        var file = e.File;
        if (file.Size > CourseMaterial.MaxBytes)
        {
            _error = $"\"{file.Name}\" is {file.Size / 1024.0 / 1024.0:0.#} MB; material can be at most {CourseMaterial.MaxBytes / 1024 / 1024} MB per file.";
            return;
        }
        _uploading = true;
        _uploadingName = file.Name;
        StateHasChanged();
        try
        {
            using var content = new MemoryStream();
            await using (var stream = file.OpenReadStream(CourseMaterial.MaxBytes))
            {
                await stream.CopyToAsync(content);
            }
            var (material, error) = await Library.UploadAsync(TeacherId, CourseId, file.Name, content.ToArray());
            if (material is not null)
            {
                _added = $"Added \"{material.Title}\": {Passages(material.PassageCount)}.";
            }
            _error = error;
            await LoadAsync();
        }
        catch (IOException ex)
        {
            _error = $"\"{file.Name}\" could not be read from your browser ({ex.Message}); nothing was added.";
        }
        finally
        {
            _uploading = false;
        }
    }

    private async Task RemoveAsync(MaterialSummary material)
    {
        _error = _added = null;
        _error = await Library.RemoveAsync(TeacherId, CourseId, material.Id);
        await LoadAsync();
    }

    private static string Passages(int count) => count == 1 ? "1 passage" : $"{count:N0} passages";
}
