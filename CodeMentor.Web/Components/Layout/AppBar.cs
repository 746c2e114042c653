using System.Security.Claims;
using System.Text.Encodings.Web;
using CodeMentor.Core.Accounts;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;

namespace CodeMentor.Web.Components.Layout;

/// <summary>
/// The app bar's sections, and its parts that do not change while a page is open drawn as markup. Every element the
/// layout draws is a few frames in both of its render buffers, which a circuit keeps as long as the page is open; the
/// bar's links and signed-in line took the layout past 128 frames, so each open page kept two 10 KB frame arrays (seen
/// in a heap dump of idle chat pages). As markup they are one frame each, and the links one string per role for the
/// whole process. Links in markup are followed like drawn ones: Blazor intercepts clicks on any link on the page.
/// </summary>
internal static class AppBar
{
    public sealed record Section(string Label, string Href, string TestId);

    private static readonly Section[] LearnerSections =
    [
        new("Chat", "chat", "nav-chat"),
        new("Review", "review", "nav-review"),
        new("Exercises", "exercises", "nav-exercises"),
        new("Concepts", "concepts", "nav-concepts"),
        new("Courses", "courses", "nav-courses"),
        new("Profile", "profile", "nav-profile"),
    ];

    private static readonly Section[] AdminSections = [.. LearnerSections, new("Admin", "admin", "admin-link")];

    // The classes MudButton gives a text button in the surrounding text's colour (copied from a bunit render).
    private const string LinkClass = "mud-button-root mud-button mud-button-text mud-button-text-inherit mud-button-text-size-medium mud-ripple";

    private static readonly MarkupString LearnerLinks = Links(LearnerSections);
    private static readonly MarkupString AdminLinks = Links(AdminSections);

    public static IReadOnlyList<Section> Sections(ClaimsPrincipal user) => user.IsInRole(Roles.Admin) ? AdminSections : LearnerSections;

    /// <summary>The sections as the bar's navigation, one string per role for the process.</summary>
    public static MarkupString SectionLinks(ClaimsPrincipal user) => user.IsInRole(Roles.Admin) ? AdminLinks : LearnerLinks;

    private static MarkupString Links(Section[] sections) => new(
        "<nav class=\"appbar-sections\" aria-label=\"Sections\">"
        + string.Concat(sections.Select(s =>
            $"<a href=\"{Encode(s.Href)}\" class=\"{LinkClass}\" data-testid=\"{Encode(s.TestId)}\"><span class=\"mud-button-label\">{Encode(s.Label)}</span></a>"))
        + "</nav>");

    /// <summary>Who is signed in, and the log-out button (a form posted with the antiforgery token, as
    /// <see cref="AntiforgeryToken"/> draws it); hidden on narrow screens, where the menu has both.</summary>
    public static MarkupString SignedIn(ClaimsPrincipal user, AntiforgeryRequestToken? token)
    {
        var name = Encode(user.Identity?.Name ?? "");
        var field = token is null ? "" : $"<input type=\"hidden\" name=\"{Encode(token.FormFieldName)}\" value=\"{Encode(token.Value)}\" />";
        return new MarkupString(
            $"<p class=\"mud-typography mud-typography-body2 mr-3 signed-in-as appbar-wide\" data-testid=\"signed-in-as\" title=\"{name}\">{name}</p>"
            + $"<form method=\"post\" action=\"account/logout\" class=\"appbar-wide\">{field}<button type=\"submit\" class=\"appbar-link\" data-testid=\"logout\">Log out</button></form>");
    }

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);
}
