using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace CodeMentor.Web.Components.Layout;

/// <summary>
/// MudBlazor's stylesheet for our theme (its CSS variables and scrollbar), light and dark, drawn once for the whole
/// process by MudBlazor's own <see cref="MudThemeProvider"/> in an <see cref="HtmlRenderer"/>, outside any circuit.
/// A theme provider in the layout was a component in every circuit, and each kept its own copy of MudBlazor's
/// default theme (108 colours, both palettes, 14 typographies: about 16 KB per open page in a heap dump) besides
/// its render buffers. The layout draws the string shared here and follows the system's dark mode itself
/// (codementor.js); the stylesheet is exactly what the provider draws (a test compares them).
/// </summary>
public sealed class ThemeStylesheets(IServiceScopeFactory scopes, ILoggerFactory loggers)
{
    private Task<Drawn>? _drawn;

    /// <summary>The two stylesheets, each one string for the process.</summary>
    public sealed record Drawn(MarkupString Light, MarkupString Dark)
    {
        public MarkupString For(bool dark) => dark ? Dark : Light;
    }

    /// <summary>Drawn at the first call (a few milliseconds), then the same two strings for every page. A drawing that
    /// failed is not kept: the next page draws again. (Two first pages at once may both draw; the last one is kept.)</summary>
    public Task<Drawn> GetAsync()
    {
        var drawn = _drawn;
        if (drawn is null || drawn.IsFaulted || drawn.IsCanceled)
        {
            _drawn = drawn = DrawAsync(scopes, loggers, CodeMentorTheme.Theme);
        }
        return drawn;
    }

    /// <summary>What <see cref="MudThemeProvider"/> draws for <paramref name="theme"/>, light and dark.</summary>
    private static async Task<Drawn> DrawAsync(IServiceScopeFactory scopes, ILoggerFactory loggers, MudTheme theme)
    {
        await using var scope = scopes.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, loggers);
        return new Drawn(await DrawAsync(renderer, theme, dark: false), await DrawAsync(renderer, theme, dark: true));
    }

    private static Task<MarkupString> DrawAsync(HtmlRenderer renderer, MudTheme theme, bool dark) =>
        renderer.Dispatcher.InvokeAsync(async () =>
        {
            var drawn = await renderer.RenderComponentAsync<MudThemeProvider>(ParameterView.FromDictionary(new Dictionary<string, object?>
            {
                [nameof(MudThemeProvider.Theme)] = theme,
                [nameof(MudThemeProvider.IsDarkMode)] = dark,
                // Nothing to watch here: the layout follows the system's setting through codementor.js.
                [nameof(MudThemeProvider.ObserveSystemDarkModeChange)] = false,
            }));
            return new MarkupString(drawn.ToHtmlString());
        });
}
