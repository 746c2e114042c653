using Bunit;
using CodeMentor.Core.Accounts;
using CodeMentor.Core.Courses;
using CodeMentor.Core.Courses.Material;
using CodeMentor.Core.Data;
using CodeMentor.Tests.Support;
using CodeMentor.Web.Components.Pages.Courses;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CodeMentor.Tests.Components;

/// <summary>The course material panel over the real background indexing: an upload's progress and outcome follow the
/// teacher, not the page they started it on.</summary>
public sealed class CourseMaterialPanelTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private BunitHost _host = default!;
    private Guid _course;

    public async Task InitializeAsync()
    {
        _host = await BunitHost.StartAsync();
        await using (var db = await _host.Get<IDbContextFactory<AppDbContext>>().CreateDbContextAsync())
        {
            var role = new IdentityRole(Roles.Teacher) { NormalizedName = Roles.Teacher.ToUpperInvariant() };
            db.Roles.Add(role);
            db.UserRoles.Add(new IdentityUserRole<string> { UserId = _host.UserId, RoleId = role.Id });
            await db.SaveChangesAsync();
        }
        var (course, error) = await _host.Get<CourseService>().CreateAsync(_host.UserId, new CourseDraft("Python 101", "Python", "beginner", TutorMode.FullHelp));
        Assert.Null(error);
        _course = course!.Id;
        await _host.Get<MaterialIngestion>().StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _host.Get<MaterialIngestion>().StopAsync(CancellationToken.None);
        await _host.DisposeAsync();
    }

    private IRenderedComponent<CourseMaterialPanel> Panel() => _host.Context.Render<CourseMaterialPanel>(p => p
        .Add(x => x.CourseId, _course).Add(x => x.CourseName, "Python 101").Add(x => x.TeacherId, _host.UserId));

    [Fact]
    public async Task An_upload_shows_its_progress_then_its_outcome_and_a_page_opened_later_still_shows_it()
    {
        var first = Panel();
        Assert.NotNull(first.Find("[data-testid=no-material]"));
        var page = await File.ReadAllBytesAsync(Path.Combine(PythonTutorial.DocsFolder, "tutorial", "appetite.html"));
        first.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(page, "appetite.html"));

        // The page it was started on follows it live: the outcome and the new material arrive without a reload.
        first.WaitForAssertion(() => Assert.Contains("Added \"1. Whetting Your Appetite\"", first.Find("[data-testid=material-added]").TextContent), Wait);
        Assert.Single(first.FindAll("[data-testid=material]"));

        // Opened again (the teacher left and came back), the panel still says what became of the upload.
        var later = Panel();
        Assert.Contains("Added \"1. Whetting Your Appetite\"", later.Find("[data-testid=material-added]").TextContent);

        // A file the splitter refuses is reported on the panel, with nothing added.
        later.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("not really a document", "notes.docx"));
        later.WaitForAssertion(() => Assert.Contains("is not a format course material can be", later.Find("[data-testid=material-error]").TextContent), Wait);
        Assert.Single(later.FindAll("[data-testid=material]"));
    }

    [Fact]
    public async Task An_upload_another_node_is_indexing_shows_its_progress_and_outcome_as_that_node_saves_them()
    {
        await _host.Get<MaterialIngestion>().StopAsync(CancellationToken.None); // this node indexes nothing here
        var factory = _host.Get<IDbContextFactory<AppDbContext>>();
        var id = Guid.NewGuid();
        await using (var db = await factory.CreateDbContextAsync())
        {
            db.MaterialUploads.Add(new MaterialUpload
            {
                Id = id, CourseId = _course, UploadedByUserId = _host.UserId, FileName = "lectures.pdf", Content = [1],
                State = MaterialJobState.Indexing, Node = "other-node", Embedded = 3, Passages = 10,
                QueuedAtUtc = DateTime.UtcNow, ChangedAtUtc = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        async Task SaveAsync(Action<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<MaterialUpload>> change)
        {
            await using var db = await factory.CreateDbContextAsync();
            await db.MaterialUploads.Where(u => u.Id == id).ExecuteUpdateAsync(change);
        }

        var panel = Panel();
        Assert.Contains("Indexing lectures.pdf: 3 of 10 passages embedded", panel.Find("[data-testid=material-uploading]").TextContent);
        await SaveAsync(s => s.SetProperty(u => u.Embedded, 7));
        panel.WaitForAssertion(() => Assert.Contains("7 of 10 passages", panel.Find("[data-testid=material-uploading]").TextContent), Wait);
        await SaveAsync(s => s.SetProperty(u => u.State, MaterialJobState.Refused).SetProperty(u => u.Error, "\"lectures.pdf\" has no text layer."));
        panel.WaitForAssertion(() => Assert.Equal("\"lectures.pdf\" has no text layer.", panel.Find("[data-testid=material-error]").TextContent), Wait);
        Assert.Empty(panel.FindAll("[data-testid=material-uploading]"));
    }
}
