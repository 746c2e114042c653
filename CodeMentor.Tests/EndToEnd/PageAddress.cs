using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CodeMentor.Tests.EndToEnd;

/// <summary>Waiting for the page's address, and for nothing else.</summary>
internal static class PageAddress
{
    /// <summary>
    /// Waits until the address matches <paramref name="pattern"/> (a regular expression), whether the page has
    /// loaded or not: what each journey needs next it waits for itself (a page's ready flag, a visible element).
    /// Not <c>WaitForURLAsync(..., WaitUntil = Commit)</c>: when the address already matches, Playwright .NET
    /// (1.64) maps <c>Commit</c> to no load state and then waits for the default one, the load event, which on
    /// loaded CI runs sometimes did not come within 30 s (the journey then failed in <c>WaitForLoadStateAsync</c>).
    /// </summary>
    public static Task WaitForAddressAsync(this IPage page, string pattern) =>
        Expect(page).ToHaveURLAsync(new Regex(pattern));

    /// <summary>Waits until the address is no longer <paramref name="address"/>.</summary>
    public static Task WaitForAddressOtherThanAsync(this IPage page, string address) =>
        Expect(page).Not.ToHaveURLAsync(address);
}
