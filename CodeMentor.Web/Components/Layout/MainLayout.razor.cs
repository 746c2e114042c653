using System.Security.Claims;
using CodeMentor.Core.Accounts;
using CodeMentor.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace CodeMentor.Web.Components.Layout;

public partial class MainLayout : IAsyncDisposable
{
    private record Section(string Label, string Href, string TestId);

    private static readonly Section[] LearnerSections =
    [
        new("Chat", "chat", "nav-chat"),
        new("Review", "review", "nav-review"),
        new("Exercises", "exercises", "nav-exercises"),
        new("Concepts", "concepts", "nav-concepts"),
        new("Courses", "courses", "nav-courses"),
        new("Profile", "profile", "nav-profile"),
    ];

    private static readonly Section Admin = new("Admin", "admin", "admin-link");

    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;

    private MudThemeProvider? _themeProvider;
    private ThemePreference _themePreference = ThemePreference.System;
    private bool _systemDark;
    private bool _drawerOpen;
    private BrowserTime _browserTime = BrowserTime.Utc;
    private DotNetObjectReference<MainLayout>? _self;

    // Derived, never stored: the learner's choice, or the system's setting when the choice is "system".
    private bool IsDark => _themePreference == ThemePreference.Dark || (_themePreference == ThemePreference.System && _systemDark);

    private static IEnumerable<Section> Sections(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Admin) ? [.. LearnerSections, Admin] : LearnerSections;

    /// <summary>What the browser knows about the learner's display, read in one call.</summary>
    public sealed record BrowserState(string? Theme, bool SystemDark, string? TimeZone);

    protected override async Task OnInitializedAsync()
    {
        // Going anywhere closes the phone menu (a link in it, a link on the page, back and forward).
        Navigation.LocationChanged += CloseDrawer;
        if (!RendererInfo.IsInteractive)
        {
            return; // the account pages render statically, in the light theme
        }
        // Pages render only on the circuit (no prerendering), so the browser can be asked before the first render:
        // the page appears in its theme at once instead of flashing light first.
        var state = await JS.InvokeAsync<BrowserState?>("codeMentor.browserState");
        if (state is not null)
        {
            _themePreference = ThemePreferences.Parse(state.Theme);
            _systemDark = state.SystemDark;
            _browserTime = BrowserTime.From(state.TimeZone);
        }
    }

    private void CloseDrawer(object? sender, Microsoft.AspNetCore.Components.Routing.LocationChangedEventArgs e)
    {
        if (_drawerOpen)
        {
            _drawerOpen = false;
            _ = InvokeAsync(StateHasChanged);
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender || _themeProvider is null)
        {
            return;
        }
        // The choice lives in the browser (it is about this device); "system" follows the OS setting live.
        await _themeProvider.WatchSystemDarkModeAsync(OnSystemDarkModeChanged);
        _self = DotNetObjectReference.Create(this);
        await JS.InvokeVoidAsync("codeMentor.registerShortcuts", _self);
    }

    private async Task OnSystemDarkModeChanged(bool systemDark)
    {
        _systemDark = systemDark;
        await InvokeAsync(StateHasChanged);
    }

    private async Task SetThemeAsync(ThemePreference preference)
    {
        _themePreference = preference;
        await JS.InvokeVoidAsync("codeMentor.setThemePreference", ThemePreferences.Format(preference));
    }

    /// <summary>Called by the page-wide keyboard handler for Shift+? (and by the menu).</summary>
    [JSInvokable]
    public Task ShowShortcutsAsync() =>
        InvokeAsync(async () =>
        {
            _drawerOpen = false;
            await Dialogs.ShowAsync<ShortcutsDialog>("Keyboard shortcuts", new DialogOptions { CloseOnEscapeKey = true, MaxWidth = MaxWidth.Small });
        });

    public async ValueTask DisposeAsync()
    {
        Navigation.LocationChanged -= CloseDrawer;
        if (_self is not null)
        {
            try
            {
                await JS.InvokeVoidAsync("codeMentor.unregisterShortcuts");
            }
            catch (JSDisconnectedException)
            {
                // The circuit is gone with the page; nothing to clean up in the browser.
            }
            _self.Dispose();
        }
    }
}
