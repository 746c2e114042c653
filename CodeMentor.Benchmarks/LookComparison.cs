using CodeMentor.Testing;
using Microsoft.Playwright;

namespace CodeMentor.Benchmarks;

/// <summary>
/// Screenshots of the chat page as a learner sees it (desktop and phone, light and dark, the phone's menu open, a
/// search typed), and a pixel comparison of two such sets made in Chromium: for changes that mean to draw the same
/// page with fewer components. <c>look DIR</c> writes a set; <c>look-diff A B</c> compares two.
/// </summary>
public static class LookComparison
{
    private static readonly (string Name, int Width, int Height, ColorScheme Scheme, string Action)[] Shots =
    [
        ("desktop-light", 1280, 800, ColorScheme.Light, ""),
        ("desktop-dark", 1280, 800, ColorScheme.Dark, ""),
        ("desktop-search", 1280, 800, ColorScheme.Light, "search"),
        ("desktop-search-dark", 1280, 800, ColorScheme.Dark, "search"),
        ("phone-light", 390, 844, ColorScheme.Light, ""),
        ("phone-menu-light", 390, 844, ColorScheme.Light, "menu"),
        ("phone-menu-dark", 390, 844, ColorScheme.Dark, "menu"),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var folder = Directory.CreateDirectory(args.Length > 0 ? args[0] : "look").FullName;
        await using var portal = await BenchmarkPortal.StartAsync("look");
        portal.Groq.Default = FakeGroqServer.Reply(GroqStream.Reply(BrowserBenchmark.ReplyText(120)));
        var context = await portal.NewContextAsync();
        var first = await context.NewPageAsync();
        await BrowserBenchmark.RegisterAsync(first, "look@example.org");
        await Assertions.Expect(first.Locator("[data-testid=chat-input]")).ToHaveAttributeAsync("data-keys-ready", "true");
        await first.FillAsync("[data-testid=chat-input]", "What is a loop?");
        await first.PressAsync("[data-testid=chat-input]", "Enter");
        await Assertions.Expect(first.Locator("[data-role=Assistant][data-status=Complete]")).ToHaveCountAsync(2);
        var conversation = first.Url;
        foreach (var (name, width, height, scheme, action) in Shots)
        {
            var page = await context.NewPageAsync();
            await page.SetViewportSizeAsync(width, height);
            await page.EmulateMediaAsync(new() { ColorScheme = scheme, ReducedMotion = ReducedMotion.Reduce });
            await page.GotoAsync(conversation);
            await Assertions.Expect(page.Locator("[data-testid=chat-page]")).ToHaveAttributeAsync("data-ready", "true");
            await Assertions.Expect(page.Locator("[data-testid=app-root]")).ToHaveAttributeAsync("data-theme", scheme == ColorScheme.Dark ? "dark" : "light");
            if (action == "menu")
            {
                await page.ClickAsync("[data-testid=nav-menu]");
                await Assertions.Expect(page.Locator("[data-testid=nav-drawer]")).ToBeVisibleAsync();
            }
            else if (action == "search")
            {
                await page.FillAsync("[data-testid=conversation-search] input, input[data-testid=conversation-search]", "loop");
                await Assertions.Expect(page.Locator("[data-testid=search-result]")).ToHaveCountAsync(1);
            }
            await page.WaitForTimeoutAsync(600); // transitions (the drawer slides in) are over
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png") });
            await page.CloseAsync();
        }
        Console.WriteLine($"{Shots.Length} screenshots in {folder}");
        return 0;
    }

    /// <summary>Pixels that differ between same-named screenshots of two folders, and where.</summary>
    public static async Task<int> CompareAsync(string[] args)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BenchmarkPortal.LaunchChromiumAsync(playwright);
        var page = await browser.NewPageAsync();
        Console.WriteLine("| Screenshot | Pixels that differ | Where (x, y, width, height) | Largest difference in a channel (of 255) |");
        Console.WriteLine("|---|---:|---|---:|");
        foreach (var before in Directory.GetFiles(args[0], "*.png").Order())
        {
            var after = Path.Combine(args[1], Path.GetFileName(before));
            var result = await page.EvaluateAsync<string>("""
                async ([a, b]) => {
                    const load = async (data) => { const img = new Image(); img.src = "data:image/png;base64," + data; await img.decode(); return img; };
                    const [x, y] = [await load(a), await load(b)];
                    if (x.width !== y.width || x.height !== y.height) return `sizes differ: ${x.width}x${x.height} and ${y.width}x${y.height}`;
                    const pixels = (img) => { const c = new OffscreenCanvas(img.width, img.height); const g = c.getContext("2d"); g.drawImage(img, 0, 0); return g.getImageData(0, 0, img.width, img.height).data; };
                    const [p, q] = [pixels(x), pixels(y)];
                    let n = 0, minX = 1e9, minY = 1e9, maxX = -1, maxY = -1, most = 0;
                    for (let i = 0; i < p.length; i += 4) {
                        const delta = Math.max(Math.abs(p[i] - q[i]), Math.abs(p[i + 1] - q[i + 1]), Math.abs(p[i + 2] - q[i + 2]), Math.abs(p[i + 3] - q[i + 3]));
                        if (delta > 0) {
                            n++; most = Math.max(most, delta); const px = (i / 4) % x.width, py = Math.floor(i / 4 / x.width);
                            minX = Math.min(minX, px); minY = Math.min(minY, py); maxX = Math.max(maxX, px); maxY = Math.max(maxY, py);
                        }
                    }
                    return n === 0 ? "0 | — | —" : `${n} | ${minX}, ${minY}, ${maxX - minX + 1}, ${maxY - minY + 1} | ${most}`;
                }
                """, new[] { Convert.ToBase64String(await File.ReadAllBytesAsync(before)), Convert.ToBase64String(await File.ReadAllBytesAsync(after)) });
            Console.WriteLine($"| {Path.GetFileNameWithoutExtension(before)} | {result} |");
        }
        return 0;
    }
}
