using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components;

namespace CodeMentor.Web.Components.Shared;

/// <summary>
/// A MudBlazor icon as plain SVG markup, for buttons repeated on every page and every message (copy, edit, the app
/// bar's). Each <c>MudIconButton</c> is two components (the button and its <c>MudIcon</c>), and every component keeps
/// its render-tree buffers, builders and class strings for as long as the circuit lives: a heap dump of idle chat
/// pages put about 4 KB per component. Here the icon is a frame of its parent, and its markup string is built once for
/// the whole process, so every circuit points at the same string. The markup is what <c>MudIcon</c> draws; the class
/// lists are those <c>MudIconButton</c> and <c>MudButton</c> give their buttons (copied from bunit renders of them).
/// </summary>
public static class IconMarkup
{
    /// <summary>The classes MudIconButton gives its button (default colour, medium size), for a plain button.</summary>
    public const string Button = "mud-button-root mud-icon-button mud-ripple mud-ripple-icon";

    /// <summary>The same, small (a message's actions, a conversation row's menu button).</summary>
    public const string SmallButton = Button + " mud-icon-button-size-small";

    /// <summary>The same in the surrounding text's colour (the app bar).</summary>
    public const string InheritButton = "mud-button-root mud-icon-button mud-inherit-text hover:mud-inherit-hover mud-ripple mud-ripple-icon";

    /// <summary>The classes MudButton gives a filled button in the primary colour, medium size.</summary>
    public const string PrimaryButton = "mud-button-root mud-button mud-button-filled mud-button-filled-primary mud-button-filled-size-medium mud-ripple";

    /// <summary>The same, small.</summary>
    public const string SmallPrimaryButton = "mud-button-root mud-button mud-button-filled mud-button-filled-primary mud-button-filled-size-small mud-ripple";

    /// <summary>The classes MudButton gives a text button in the default colour, small.</summary>
    public const string SmallTextButton = "mud-button-root mud-button mud-button-text mud-button-text-default mud-button-text-size-small mud-ripple";

    private static readonly ConcurrentDictionary<(string Icon, string Size), MarkupString> Drawn = new();

    private static readonly ConcurrentDictionary<(string Icon, string Size, string Side), MarkupString> ButtonIcons = new();

    /// <param name="icon">An icon from MudBlazor's <c>Icons</c> (the SVG's inner elements).</param>
    /// <param name="size">MudBlazor's size name: small, medium or large.</param>
    public static MarkupString Svg(string icon, string size = "medium") =>
        Drawn.GetOrAdd((icon, size), static key => new MarkupString(
            $"<svg class=\"mud-icon-root mud-svg-icon mud-icon-size-{key.Size}\" focusable=\"false\" viewBox=\"0 0 24 24\" aria-hidden=\"true\" role=\"img\">{key.Icon}</svg>"));

    /// <summary>A MudButton's icon before its text (<c>StartIcon</c>), as MudButton draws it.</summary>
    public static MarkupString StartIcon(string icon, string size = "medium") => ButtonIcon(icon, size, "start");

    /// <summary>A MudButton's icon after its text (<c>EndIcon</c>), as MudButton draws it.</summary>
    public static MarkupString EndIcon(string icon, string size = "medium") => ButtonIcon(icon, size, "end");

    private static MarkupString ButtonIcon(string icon, string size, string side) =>
        ButtonIcons.GetOrAdd((icon, size, side), static key => new MarkupString(
            $"<span class=\"mud-button-icon-{key.Side} mud-button-icon-size-{key.Size}\">{Svg(key.Icon, key.Size)}</span>"));
}
