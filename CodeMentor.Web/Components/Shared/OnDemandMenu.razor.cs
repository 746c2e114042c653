using Microsoft.AspNetCore.Components;

namespace CodeMentor.Web.Components.Shared;

public partial class OnDemandMenu
{
    /// <summary>An icon from MudBlazor's <c>Icons</c>.</summary>
    [Parameter, EditorRequired] public string Icon { get; set; } = "";

    /// <summary>What the button does, for screen readers (it shows only an icon).</summary>
    [Parameter, EditorRequired] public string Label { get; set; } = "";

    /// <summary>The menu's items (<c>MudMenuItem</c>s).</summary>
    [Parameter] public RenderFragment? ChildContent { get; set; }

    [Parameter] public string? TestId { get; set; }

    private bool _open;

    /// <summary>Set when the button that replaced the one pressed should take the keyboard focus, so a keyboard user
    /// stays on the menu's button as it opens and closes.</summary>
    private bool _moveFocus;

    private ElementReference _button;

    private void Open()
    {
        _open = true;
        _moveFocus = true;
    }

    private void OpenChanged(bool open)
    {
        if (!open && _open)
        {
            _open = false;
            _moveFocus = true;
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (_moveFocus)
        {
            _moveFocus = false;
            await _button.FocusAsync();
        }
    }
}
