using System.Security.Claims;
using CodeMentor.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.JSInterop;
using MudBlazor;

namespace CodeMentor.Web.Components.Layout;

public partial class MainLayout : IAsyncDisposable
{
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private ThemeStylesheets Stylesheets { get; set; } = default!;
    [Inject] private AntiforgeryStateProvider Antiforgery { get; set; } = default!;

    /// <summary>The learner's time zone, cascaded from the circuit's services (CodeMentorWebExtensions) rather than
    /// by a CascadingValue component around the page, which every open page kept along with its render buffers.</summary>
    [Inject] private CascadingValueSource<BrowserTime> BrowserTimeSource { get; set; } = default!;

    /// <summary>The request, read only while the layout renders on the server without a circuit (account pages,
    /// and every other page's prerendered first paint). Not the cascading <c>HttpContext</c> parameter: supplying
    /// that in a circuit builds a whole static-rendering renderer into the circuit's scope, kept as long as the
    /// circuit (seen in a heap dump of idle chat pages).</summary>
    [Inject] private IHttpContextAccessor Request { get; set; } = default!;

    /// <summary>Who is signed in, for the app bar and the drawer; null when no one is. Read from the cascading
    /// state again whenever it changes (a sign-out seen by revalidation redraws the bar).</summary>
    [CascadingParameter] private Task<AuthenticationState>? AuthenticationState { get; set; }

    private ClaimsPrincipal? _user;
    private MarkupString _signedIn; // AppBar.SignedIn for _user; empty when no one is

    private ThemeStylesheets.Drawn? _stylesheets;

    // Not nullable: Razor draws a MarkupString? as text.
    private MarkupString Stylesheet => _stylesheets?.For(IsDark) ?? default;
    private ThemePreference _themePreference = ThemePreference.System;
    private bool _systemDark;
    private bool _drawerOpen;
    private DotNetObjectReference<MainLayout>? _self;

    // Derived, never stored: the learner's choice, or the system's setting when the choice is "system".
    private bool IsDark => _themePreference == ThemePreference.Dark || (_themePreference == ThemePreference.System && _systemDark);

    /// <summary>What the browser knows about the learner's display.</summary>
    private sealed record BrowserState(string? Theme, bool SystemDark, string? TimeZone);

    protected override async Task OnInitializedAsync()
    {
        // Going anywhere closes the phone menu (a link in it, a link on the page, back and forward).
        Navigation.LocationChanged += CloseDrawer;
        // Who is signed in before the first render: otherwise the browser call below lets the bar render once as
        // signed out, and the circuit keeps that bar's parts in its previous render buffer.
        await ReadUserAsync();
        _stylesheets = await Stylesheets.GetAsync(); // drawn once for the process: already there after the first page
        var state = Parse(RendererInfo.IsInteractive
            ? await JS.InvokeAsync<string?>("codeMentor.displayState")
            : Request.HttpContext?.Request.Cookies[DisplayCookie]);
        if (state is not null)
        {
            _themePreference = ThemePreferences.Parse(state.Theme);
            _systemDark = state.SystemDark;
            await BrowserTimeSource.NotifyChangedAsync(BrowserTime.From(state.TimeZone));
        }
    }

    protected override Task OnParametersSetAsync() => ReadUserAsync();

    private async Task ReadUserAsync()
    {
        var user = AuthenticationState is null ? null : (await AuthenticationState).User;
        var signedIn = user?.Identity?.IsAuthenticated == true ? user : null;
        if (ReferenceEquals(signedIn, _user))
        {
            return; // the same user on another page: the bar's markup stands
        }
        _user = signedIn;
        _signedIn = _user is null ? default : AppBar.SignedIn(_user, Antiforgery.GetAntiforgeryToken());
    }

    /// <summary>Written by codementor.js on every page (rememberDisplay): what the browser said last time.</summary>
    private const string DisplayCookie = "codementor-display";

    /// <summary>codementor.js's displayState, from the browser or from the cookie that keeps it.</summary>
    private static BrowserState? Parse(string? value)
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
        if (!firstRender || !RendererInfo.IsInteractive)
        {
            return;
        }
        // The page-wide shortcuts, and the system's dark mode followed live (the choice itself lives in the
        // browser: it is about this device).
        _self = DotNetObjectReference.Create(this);
        await JS.InvokeVoidAsync("codeMentor.registerLayout", _self);
    }

    /// <summary>Called by codementor.js when the system switches between light and dark.</summary>
    [JSInvokable]
    public Task SystemDarkModeChangedAsync(bool systemDark) =>
        InvokeAsync(() =>
        {
            _systemDark = systemDark;
            StateHasChanged();
        });

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
                await JS.InvokeVoidAsync("codeMentor.unregisterLayout");
            }
            catch (JSDisconnectedException)
            {
                // The circuit is gone with the page; nothing to clean up in the browser.
            }
            _self.Dispose();
        }
    }
}
