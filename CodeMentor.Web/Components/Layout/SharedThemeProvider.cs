using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components.Rendering;
using MudBlazor;

namespace CodeMentor.Web.Components.Layout;

/// <summary>
/// MudBlazor's theme provider, drawing exactly its stylesheets, but holding one copy of each for the whole process.
/// The base builds its stylesheet (about 12,000 characters) as a new string at every render, and the circuit's render
/// tree keeps it as long as the page is open: 24 KB per idle page in a heap dump. The base still draws (it renders only
/// when the theme or the mode changes, see ThemeStyles); what it drew is swapped for the copy every circuit shares and
/// its own string is left to the collector. Everything else (following the system's dark mode) is the base's.
/// </summary>
public sealed class SharedThemeProvider : MudThemeProvider
{
    // A handful of entries: one per distinct stylesheet (theme × light/dark × scrollbar), never more.
    private static readonly ConcurrentDictionary<string, string> Stylesheets = new(StringComparer.Ordinal);

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        using var drawn = new RenderTreeBuilder();
        base.BuildRenderTree(drawn);
        if (SharedMarkup(drawn) is not { } markup)
        {
            base.BuildRenderTree(builder); // anything but plain markup (another MudBlazor version): draw as the base
            return;
        }
        foreach (var text in markup)
        {
            builder.AddMarkupContent(0, text);
        }
    }

    /// <returns>The frames' markup, each string the process-wide copy, or null if a frame is not markup.</returns>
#pragma warning disable BL0006 // reading the frames just drawn, to share their strings; nothing is written to them
    private static List<string>? SharedMarkup(RenderTreeBuilder drawn)
    {
        var frames = drawn.GetFrames();
        var markup = new List<string>(frames.Count);
        for (var i = 0; i < frames.Count; i++)
        {
            var frame = frames.Array[i];
            if (frame.FrameType != Microsoft.AspNetCore.Components.RenderTree.RenderTreeFrameType.Markup)
            {
                return null;
            }
            markup.Add(Stylesheets.GetOrAdd(frame.MarkupContent, frame.MarkupContent));
        }
        return markup;
    }
#pragma warning restore BL0006
}
