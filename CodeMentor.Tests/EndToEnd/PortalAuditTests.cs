using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static CodeMentor.Tests.EndToEnd.ChatJourneyTests;
using static Microsoft.Playwright.Assertions;

namespace CodeMentor.Tests.EndToEnd;

/// <summary>
/// Every page, as an admin who has used every feature, at a phone size and a desktop size, in the
/// light and the dark theme: axe-core (Deque's engine, not ours) finds no serious or critical
/// violation, and no page scrolls sideways (measured from the DOM).
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class PortalAuditTests(PortalAuditTests.AuditPortal audit, ITestOutputHelper output) : IClassFixture<PortalAuditTests.AuditPortal>
{
    /// <summary>A portal of its own whose first account (so an admin) has a chat, a review, an exercise and an explanation.</summary>
    public sealed class AuditPortal : IAsyncLifetime
    {
        public PortalFixture Portal { get; } = new();
        public string StorageState { get; private set; } = "";
        public Dictionary<string, string> Pages { get; } = [];

        public async Task InitializeAsync()
        {
            await Portal.InitializeAsync();
            Portal.Groq.Default = TutoringFake.Respond;
            var page = await Portal.NewUserPageAsync();
            try
            {
                await UseEveryFeatureAsync(page);
            }
            catch (Exception ex) when (ex is TimeoutException or PlaywrightException)
            {
                // Say where the journey stood and what the page and the server said, not only which wait ran out.
                var shown = await page.Locator("[role=alert], .mud-alert, #blazor-error-ui[style*=block]").AllInnerTextsAsync();
                throw new InvalidOperationException(
                    $"Setting up the audit failed at {page.Url}. The page showed: [{string.Join(" | ", shown)}]. {Portal.ServerErrors.Describe()}", ex);
            }
            StorageState = await page.Context.StorageStateAsync();
            await page.Context.CloseAsync();
        }

        private async Task UseEveryFeatureAsync(IPage page)
        {
            await RegisterAsync(page);
            Pages["chat, empty"] = "chat";
            Pages["chat, a conversation"] = await StartConversationAsync(page);
            await AskAsync(page, "How does a loop work?");
            await Expect(Reply(page)).ToHaveAttributeAsync("data-status", "Complete");

            await page.GotoAsync("review");
            await Expect(page.Locator("[data-testid=review-page]")).ToHaveAttributeAsync("data-ready", "true");
            Pages["review, new"] = "review";
            await page.FillAsync("[data-testid=review-code]", "int x = 1\nSystem.Console.WriteLine(x);");
            await page.ClickAsync("[data-testid=review-submit]");
            await page.WaitForAddressAsync("/review/[^/]*$");
            await Expect(page.Locator("[data-testid=message][data-role=Assistant]")).ToHaveAttributeAsync("data-status", "Complete");
            Pages["review, done"] = page.Url;

            await page.GotoAsync("exercises");
            await Expect(page.Locator("[data-testid=exercises-page]")).ToHaveAttributeAsync("data-ready", "true");
            Pages["exercises"] = "exercises";
            await page.ClickAsync("[data-testid=generate-exercise]");
            await page.WaitForAddressAsync("/exercises/[^/]*$");
            await page.FillAsync("[data-testid=exercise-code]", "def sum_even(numbers):\n    total = 0\n");
            await page.ClickAsync("[data-testid=exercise-hint]");
            await Expect(page.Locator("[data-testid=attempt][data-kind=Hint]")).ToBeVisibleAsync();
            Pages["exercise"] = page.Url;

            await page.GotoAsync("concepts");
            await Expect(page.Locator("[data-testid=concepts-page]")).ToHaveAttributeAsync("data-ready", "true");
            Pages["concepts"] = "concepts";
            await page.FillAsync("[data-testid=concept-input]", "recursion");
            await page.ClickAsync("[data-testid=concept-explain]");
            await page.WaitForAddressAsync("/concepts/[^/]*$");
            await Expect(Reply(page)).ToHaveAttributeAsync("data-status", "Complete");
            Pages["concept explained"] = page.Url;

            // A teacher with a course, so the courses page shows its forms and a course with its join link.
            await page.GotoAsync("admin/users");
            await page.Locator("[aria-label^='Teacher role for']").First.CheckAsync();
            await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("is now a teacher");
            await page.GotoAsync("courses");
            await Expect(page.Locator("[data-testid=courses-page]")).ToHaveAttributeAsync("data-ready", "true");
            await page.FillAsync("[data-testid=new-course] input[data-testid=course-name]", "Python 101 for the autumn term");
            await page.ClickAsync("[data-testid=new-course] [data-testid=course-submit]");
            await Expect(page.Locator("[data-testid=taught-course]")).ToHaveCountAsync(1);
            // With material (a short page of the Python tutorial), so the course page lists it and a passage can be opened.
            await page.Locator("[data-testid=material-file]").SetInputFilesAsync(Path.Combine(Support.PythonTutorial.DocsFolder, "tutorial", "appetite.html"));
            await Expect(page.Locator("[data-testid=material-added]")).ToBeVisibleAsync(new() { Timeout = 60_000 });
            Pages["courses"] = "courses";
            var week = (await page.Locator("[data-testid=course-insights]").GetAttributeAsync("href"))!;
            // The portal's first material, so its first passage is number 1 (the teacher may read it).
            Pages["course material passage"] = week.Replace("/insights", "/material/passages/1", StringComparison.Ordinal);
            Pages["course week"] = week;
            Pages["shared conversation, not shared"] = week.Replace("/insights", $"/shared/{Guid.NewGuid()}", StringComparison.Ordinal);

            Pages["profile"] = "profile";
            Pages["onboarding"] = "onboarding";
            Pages["admin dashboard"] = "admin";
            Pages["admin users"] = "admin/users";
            Pages["admin ledger"] = "admin/ledger";
            Pages["not found"] = "no-such-page";
        }

        public Task DisposeAsync() => Portal.DisposeAsync();
    }

    public static TheoryData<string, int, int, string> Views() => new()
    {
        { "phone", 390, 844, "light" },
        { "phone", 390, 844, "dark" },
        { "narrow phone", 360, 740, "light" },
        { "desktop", 1366, 800, "light" },
        { "desktop", 1366, 800, "dark" },
    };

    [Theory]
    [MemberData(nameof(Views))]
    public async Task No_page_scrolls_sideways_or_has_a_serious_accessibility_violation(string device, int width, int height, string theme)
    {
        var context = await audit.Portal.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = audit.Portal.BaseUrl, StorageState = audit.StorageState,
            ViewportSize = new() { Width = width, Height = height }, ColorScheme = theme == "dark" ? ColorScheme.Dark : ColorScheme.Light,
            IsMobile = width < 500, HasTouch = width < 500,
        });
        context.SetDefaultTimeout(30_000);
        var findings = new List<string>();
        try
        {
            var page = await context.NewPageAsync();
            foreach (var (name, url) in audit.Pages.Append(new("log in", "account/login")).Append(new("register", "account/register"))
                         .Append(new("forgot password", "account/forgot-password")).Append(new("reset password", "account/reset-password?user=x&code=y")))
            {
                if (name is "log in")
                {
                    await context.ClearCookiesAsync(); // the account pages as a visitor sees them
                }
                await page.GotoAsync(url);
                await WhenSettledAsync(page);
                var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
                if (overflow > 0)
                {
                    var widest = await page.EvaluateAsync<string>(WidestElementScript);
                    findings.Add($"{name}: scrolls sideways by {overflow} px ({widest})");
                }
                // Every control must be on screen or scrollable to: clipped controls (an app bar that
                // cuts off its last links) do not widen the page, so they are looked for one by one.
                foreach (var unreachable in await page.EvaluateAsync<string[]>(UnreachableControlsScript))
                {
                    findings.Add($"{name}: cannot be reached at this width: {unreachable}");
                }
                var axe = await page.RunAxe();
                foreach (var violation in axe.Violations.Where(v => v.Impact is "serious" or "critical"))
                {
                    findings.Add($"{name}: axe {violation.Impact} {violation.Id} — {violation.Help}: " +
                        string.Join(" | ", violation.Nodes.Take(3).Select(n => n.Target + " " + Shorten(n.Html))));
                }
                foreach (var violation in axe.Violations.Where(v => v.Impact is "moderate" or "minor"))
                {
                    output.WriteLine($"{device} {theme} {name}: axe {violation.Impact} {violation.Id} — {violation.Help}");
                }
            }
        }
        finally
        {
            await context.CloseAsync();
        }
        foreach (var finding in findings)
        {
            output.WriteLine($"{device} {theme}: {finding}");
        }
        Assert.True(findings.Count == 0, $"{device} ({width}×{height}, {theme}):\n" + string.Join("\n", findings));
    }

    /// <summary>The page is interactive (its own readiness flag where it has one) and has stopped changing.</summary>
    private static async Task WhenSettledAsync(IPage page)
    {
        var ready = page.Locator("[data-ready]");
        if (await ready.CountAsync() > 0)
        {
            await Expect(ready.First).ToHaveAttributeAsync("data-ready", "true");
        }
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await Expect(page.Locator("[data-status=Streaming]")).ToHaveCountAsync(0);
        // Let every finite CSS transition and animation end (MudBlazor's buttons fade their colours for 250 ms,
        // e.g. when the dark theme applies): axe read a half-faded button as low contrast on a loaded CI run.
        await page.EvaluateAsync("""
            () => Promise.all(document.getAnimations()
                .filter(a => a.effect?.getComputedTiming().endTime !== Infinity)
                .map(a => a.finished.catch(() => {})))
            """);
        await page.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
    }

    // The most specific elements that stick out: with mobile emulation a wide element widens the layout
    // viewport and so every full-width bar with it, so fixed bars are skipped and the smallest culprits named.
    private const string WidestElementScript = """
        () => {
            const limit = document.documentElement.clientWidth;
            const out = [];
            for (const e of document.querySelectorAll('body *')) {
                if (e.closest('header, .mud-appbar') || getComputedStyle(e).position === 'fixed') continue;
                const r = e.getBoundingClientRect();
                if (r.right > limit + 1 && r.width > 0) out.push({ e, area: r.width * r.height, right: r.right });
            }
            if (out.length === 0) {
                // Then it is a bar or a fixed layer: name the outermost elements that stick out.
                for (const e of document.querySelectorAll('body *')) {
                    const r = e.getBoundingClientRect();
                    const parent = e.parentElement?.getBoundingClientRect();
                    if (r.right > limit + 1 && r.width > 0 && (!parent || parent.right <= limit + 1)) out.push({ e, area: 0, right: r.right });
                }
            }
            if (out.length === 0) return 'no single element';
            out.sort((a, b) => a.area - b.area);
            return out.slice(0, 3).map(({ e, right }) =>
                `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')} ends at ${Math.round(right)} px`).join('; ');
        }
        """;


    /// <summary>Visible links, buttons and fields that lie outside the viewport sideways, or are cut off by
    /// an ancestor that hides overflow, unless that ancestor scrolls (a code block, a wide table).</summary>
    private const string UnreachableControlsScript = """
        () => {
            const width = document.documentElement.clientWidth;
            const found = [];
            for (const e of document.querySelectorAll('a[href], button, input:not([type=hidden]), textarea, select, [role=button]')) {
                const r = e.getBoundingClientRect();
                if (r.width === 0 || r.height === 0 || getComputedStyle(e).visibility === 'hidden') continue;
                let clipped = r.left < -1 || r.right > width + 1;
                for (let p = e.parentElement; p && !clipped; p = p.parentElement) {
                    const style = getComputedStyle(p);
                    if (style.overflowX === 'auto' || style.overflowX === 'scroll') break;
                    if (style.overflowX === 'hidden' || style.overflowX === 'clip') {
                        const box = p.getBoundingClientRect();
                        clipped = r.right > box.right + 1 || r.left < box.left - 1;
                    }
                }
                if (clipped) found.push(`${e.tagName.toLowerCase()} "${(e.innerText || e.getAttribute('aria-label') || '').trim().slice(0, 30)}"`);
            }
            return found.slice(0, 5);
        }
        """;

    private static string Shorten(string html) => html.Length <= 120 ? html : html[..120] + "…";
}
