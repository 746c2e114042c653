using CodeMentor.Core.Tutoring;
using CodeMentor.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;
using MudBlazor;

namespace CodeMentor.Web.Components.Pages.Chat;

public partial class ConversationList : IDisposable
{
    [Inject] private IDialogService Dialogs { get; set; } = default!;

    [Inject] private TimeProvider Time { get; set; } = default!;

    [Inject] private IJSRuntime JS { get; set; } = default!;

    [CascadingParameter] private BrowserTime? BrowserTime { get; set; }

    [Parameter, EditorRequired] public IReadOnlyList<ConversationSummary> Conversations { get; set; } = [];

    [Parameter] public Guid? SelectedId { get; set; }

    [Parameter] public EventCallback OnCreate { get; set; }

    [Parameter] public EventCallback<(Guid Id, string Title)> OnRename { get; set; }

    [Parameter] public EventCallback<Guid> OnDelete { get; set; }

    [Parameter] public EventCallback<(Guid Id, bool Pinned)> OnPin { get; set; }

    [Parameter] public EventCallback<(Guid Id, bool Archived)> OnArchive { get; set; }

    /// <summary>Searches titles and message text (on the server, scoped to the learner).</summary>
    [Parameter, EditorRequired] public Func<string, Task<IReadOnlyList<ConversationMatch>>> Search { get; set; } = default!;

    private BrowserTime Clock => BrowserTime ?? Shared.BrowserTime.Utc;

    private Guid? _renaming;
    private string _newTitle = "";
    private string? _query;
    private IReadOnlyList<ConversationMatch>? _matches;
    private bool _showArchived;

    /// <summary>The row whose actions menu is open (at most one; the others show a plain button).</summary>
    private Guid? _actionsOpenFor;

    /// <summary>Where the keyboard focus goes after the menu opens or closes: the button that replaced the one
    /// pressed, so a keyboard user stays on the row.</summary>
    private Guid? _focusActionsOf;

    private ElementReference _openActionsButton;

    private int ArchivedCount => Conversations.Count(c => c.Archived);

    /// <summary>Pinned chats first, then the rest by the learner's local day, then (when shown) the archive.</summary>
    private IEnumerable<(string Heading, IReadOnlyList<ConversationSummary> Conversations)> Groups()
    {
        var pinned = Conversations.Where(c => c.Pinned && !c.Archived).ToList();
        if (pinned.Count > 0)
        {
            yield return ("Pinned", pinned);
        }
        var now = Time.GetUtcNow().UtcDateTime;
        foreach (var day in Conversations.Where(c => !c.Pinned && !c.Archived).GroupBy(c => Clock.Group(c.UpdatedAtUtc, now)))
        {
            yield return (day.Key, day.ToList());
        }
        if (_showArchived && ArchivedCount > 0)
        {
            yield return ("Archived", Conversations.Where(c => c.Archived).ToList());
        }
    }

    private void OpenActions(Guid id)
    {
        _actionsOpenFor = id;
        _focusActionsOf = id;
    }

    private void ActionsToggled(Guid id, bool open)
    {
        if (!open && _actionsOpenFor == id)
        {
            _actionsOpenFor = null;
            _focusActionsOf = _renaming == id ? null : id; // after "Rename" the row shows its title box, not the button
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (_focusActionsOf is not { } id)
        {
            return;
        }
        _focusActionsOf = null;
        if (_actionsOpenFor == id)
        {
            await _openActionsButton.FocusAsync();
        }
        else
        {
            await JS.InvokeVoidAsync("codeMentor.focusSelector", $"[data-actions-for='{id}']");
        }
    }

    /// <summary>How long typing pauses before the list is searched (MudTextField's debounce, as before).</summary>
    internal static readonly TimeSpan SearchPause = TimeSpan.FromMilliseconds(250);

    private const string SearchInputClass = "mud-input-slot mud-input-root mud-input-root-outlined mud-input-root-adorned-start mud-input-root-margin-dense";
    private const string ClearButtonClass = IconMarkup.SmallButton + " mud-input-clear-button mud-icon-button-edge-margin-end mud-no-activator";

    // The search box's unchanging parts, as MudTextField draws them: one string each for the process.
    private static readonly MarkupString SearchIcon = new(
        "<div class=\"mud-input-adornment mud-input-adornment-start\"><svg class=\"mud-icon-root mud-icon-default mud-svg-icon mud-icon-size-medium mud-input-adornment-icon\" "
        + $"focusable=\"false\" viewBox=\"0 0 24 24\" aria-hidden=\"true\" role=\"img\" tabindex=\"-1\">{Icons.Material.Filled.Search}</svg></div>");
    private static readonly MarkupString ClearIcon = new(
        "<span class=\"mud-icon-button-label\"><svg class=\"mud-icon-root mud-svg-icon mud-icon-size-small\" focusable=\"false\" viewBox=\"0 0 24 24\" "
        + $"aria-hidden=\"true\" role=\"img\">{Icons.Material.Filled.Clear}</svg></span>");
    private static readonly MarkupString SearchBorder = new("<fieldset class=\"mud-input-outlined-border\"><legend>Search conversations</legend></fieldset>");
    private static readonly MarkupString SearchLabel = new(
        "<label class=\"mud-input-label mud-input-label-animated mud-input-label-outlined mud-input-label-margin-dense mud-input-label-inputcontrol\" "
        + "for=\"conversation-search\">Search conversations</label>");

    /// <summary>The pause after the latest keystroke; a newer keystroke cancels it.</summary>
    private CancellationTokenSource? _searchPause;

    private async Task QueryChangedAsync()
    {
        EndSearchPause();
        var pause = _searchPause = new CancellationTokenSource();
        try
        {
            await Task.Delay(SearchPause, Time, pause.Token);
        }
        catch (OperationCanceledException)
        {
            return; // typed again (or the page closed): the later pause searches
        }
        await SearchAsync();
    }

    private async Task SearchAsync()
    {
        var query = _query;
        var found = string.IsNullOrWhiteSpace(query) ? null : await Search(query);
        if (query == _query)
        {
            _matches = found; // an older search that finishes late does not replace a newer one
        }
    }

    private void ClearSearch()
    {
        EndSearchPause();
        (_query, _matches) = (null, null);
    }

    private void EndSearchPause()
    {
        _searchPause?.Cancel();
        _searchPause?.Dispose();
        _searchPause = null;
    }

    public void Dispose() => EndSearchPause();

    private void BeginRename(ConversationSummary conversation)
    {
        _renaming = conversation.Id;
        _newTitle = conversation.Title;
    }

    private async Task RenameKeyAsync(KeyboardEventArgs e, Guid id)
    {
        if (e.Key == "Enter")
        {
            await CommitRenameAsync(id);
        }
        else if (e.Key == "Escape")
        {
            _renaming = null;
        }
    }

    private async Task CommitRenameAsync(Guid id)
    {
        _renaming = null;
        if (!string.IsNullOrWhiteSpace(_newTitle))
        {
            await OnRename.InvokeAsync((id, _newTitle));
        }
    }

    private async Task ConfirmDeleteAsync(ConversationSummary conversation)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync("Delete conversation?",
            $"\"{conversation.Title}\" and all its messages will be deleted. This cannot be undone.",
            yesText: "Delete", cancelText: "Cancel");
        if (confirmed == true)
        {
            await OnDelete.InvokeAsync(conversation.Id);
        }
    }
}
