using System.Security.Claims;
using CodeMentor.Core.Accounts;
using CodeMentor.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
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

    /// <summary>The request, read only while the layout renders on the server without a circuit (account pages,
    /// and every other page's prerendered first paint). Not the cascading <c>HttpContext</c> parameter: supplying
    /// that in a circuit builds a whole static-rendering renderer into the circuit's scope, kept as long as the
    /// circuit (seen in a heap dump of idle chat pages).</summary>
    [Inject] private IHttpContextAccessor Request { get; set; } = default!;

    /// <summary>Who is signed in, for the app bar and the drawer; null when no one is. Read from the cascading
    /// state again whenever it changes (a sign-out seen by revalidation redraws the bar).</summary>
    [CascadingParameter] private Task<AuthenticationState>? AuthenticationState { get; set; }

    private ClaimsPrincipal? _user;

    private ThemeStyles? _themeStyles;
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
        var state = RendererInfo.IsInteractive
            ? await JS.InvokeAsync<BrowserState?>("codeMentor.browserState")
            : FromCookie(Request.HttpContext?.Request.Cookies[DisplayCookie]);
        if (state is not null)
        {
            _themePreference = ThemePreferences.Parse(state.Theme);
            _systemDark = state.SystemDark;
            _browserTime = BrowserTime.From(state.TimeZone);
        }
    }

    protected override async Task OnParametersSetAsync()
    {
        var user = AuthenticationState is null ? null : (await AuthenticationState).User;
        _user = user?.Identity?.IsAuthenticated == true ? user : null;
    }

    /// <summary>Written by codementor.js on every page (rememberDisplay): what the browser said last time.</summary>
    private const string DisplayCookie = "codementor-display";

    private static BrowserState? FromCookie(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null; // a first visit: light and UTC until the circuit asks the browser
        }
        var fields = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(value);
        string? Field(string name) => fields.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v) ? v.ToString() : null;
        return new BrowserState(Field("theme"), Field("dark") == "1", Field("tz"));
    }

    /// <summary>The page drawn on the server before its circuit is up: shown, but inert, so nothing is typed
    /// into a box that the circuit is about to replace.</summary>
    private bool Prerendering => !RendererInfo.IsInteractive && AssignedRenderMode is not null;

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
        if (!firstRender || _themeStyles?.Provider is not { } themeProvider)
        {
            return;
        }
        // The choice lives in the browser (it is about this device); "system" follows the OS setting live.
        await themeProvider.WatchSystemDarkModeAsync(OnSystemDarkModeChanged);
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
