using System.Diagnostics;
using System.Globalization;
using CodeMentor.Core.Usage;
using CodeMentor.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CodeMentor.Benchmarks;

/// <summary>
/// Cold first paint in headless Chromium: a fresh browser profile (empty cache) opens a page, and the page's own
/// performance timeline says when its first contentful paint and largest contentful paint happened, and when
/// the element that carries the page's real content first appeared. Baseline in the same run: the plain Blazor
/// Server template (<c>dotnet new blazor --interactivity Server</c>, published Release) opening its home page.
/// CodeMentor runs twice, with and without prerendering (<c>Portal:Prerender</c>).
/// </summary>
public static class FirstPaintBenchmark
{
    // Installed before any page script: records when each watched selector first matches, from the parser on.
    private const string Watch = """
        window.__seen = {};
        const watched = ['[data-testid=message-text]', '[data-testid=charts] svg', 'h1'];
        const check = () => {
            for (const s of watched) {
                if (!(s in window.__seen) && document.querySelector(s)) window.__seen[s] = performance.now();
            }
        };
        new MutationObserver(check).observe(document, { childList: true, subtree: true });
        window.__lcp = 0;
        new PerformanceObserver(list => { for (const e of list.getEntries()) window.__lcp = e.startTime; })
            .observe({ type: 'largest-contentful-paint', buffered: true });
        """;

    /// <summary>One load: its paints and content, and where the time before the first paint went (the page's HTML
    /// received, the render-blocking stylesheets asked for and received, the document parsed).</summary>
    private sealed record Sample(double Fcp, double Lcp, double? Content, double Html, double StylesAsked, double StylesReceived, double Parsed);

    private sealed record Target(string Name, IBrowser Browser, string BaseUrl, string? State, string Url, string Content);

    public static async Task<int> RunAsync(string[] args)
    {
        var loads = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 9;
        var rows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0;

        await using var template = await PlainTemplate.StartAsync();
        await using var circuitOnly = await BenchmarkPortal.StartAsync("paint-circuit", new() { ["Portal:Prerender"] = "false" });
        await using var prerendered = await BenchmarkPortal.StartAsync("paint-prerender", new() { ["Portal:Prerender"] = "true" });

        Console.WriteLine(prerendered.Header("First paint benchmark"));
        var targets = new List<Target>
        {
            new("plain Blazor Server template, home page (\"Hello, world!\")", prerendered.Browser, template.BaseUrl, null, "", "h1"),
            // Static, no circuit, the same shell and styles as every page: what the styles alone cost the first paint.
            new("CodeMentor's log-in page (static)", prerendered.Browser, prerendered.BaseUrl, null, "account/login", "h1"),
        };
        var dashboard = rows > 0 ? $"admin dashboard, {rows:N0} ledger rows" : "admin dashboard, no usage";
        foreach (var (name, portal) in new[] { ("no prerendering", circuitOnly), ("prerendered", prerendered) })
        {
            var (state, conversation) = await SignInWithAConversationAsync(portal);
            if (rows > 0)
            {
                var seeding = Stopwatch.StartNew();
                await portal.App.Services.GetRequiredService<UsageSeeder>().SeedAsync(rows, days: 30);
                Console.WriteLine($"(seeded {rows:N0} ledger rows for CodeMentor {name} in {seeding.Elapsed.TotalSeconds:0.0} s)");
            }
            targets.Add(new($"CodeMentor {name}: a conversation", portal.Browser, portal.BaseUrl, state, conversation, "[data-testid=message-text]"));
            targets.Add(new($"CodeMentor {name}: {dashboard}", portal.Browser, portal.BaseUrl, state, "admin", "[data-testid=charts] svg"));
        }

        // Interleaved (one load of each, round after round), so a slower minute of this shared machine
        // falls on every row alike; the first round is a warm-up.
        var samples = targets.ToDictionary(t => t, _ => new List<Sample>());
        for (var round = 0; round <= loads; round++)
        {
            foreach (var target in targets)
            {
                var sample = await MeasureAsync(target, printResources: round == loads);
                if (round > 0)
                {
                    samples[target].Add(sample);
                }
            }
        }

        Console.WriteLine($"Median of {loads} cold loads each (fresh browser profile, empty cache), interleaved, after one warm-up round.");
        Console.WriteLine();
        Console.WriteLine("| What | First contentful paint | Largest contentful paint | Real content in the page | FCP ÷ template | HTML received | Styles asked / received | Document parsed |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        var baseline = Median(samples[targets[0]]);
        foreach (var target in targets)
        {
            var median = Median(samples[target]);
            Console.WriteLine($"| {target.Name} | {median.Fcp:0} ms | {median.Lcp:0} ms | {(median.Content is { } c ? $"{c:0} ms" : "never")} | {median.Fcp / baseline.Fcp:0.00}× | " +
                $"{median.Html:0} ms | {median.StylesAsked:0} / {median.StylesReceived:0} ms | {median.Parsed:0} ms |");
        }
        return 0;
    }

    private static Sample Median(List<Sample> samples)
    {
        static double Of(IEnumerable<double> values)
        {
            var sorted = values.Order().ToList();
            return sorted[sorted.Count / 2];
        }
        var contents = samples.Where(s => s.Content is not null).Select(s => s.Content!.Value).ToList();
        return new Sample(Of(samples.Select(s => s.Fcp)), Of(samples.Select(s => s.Lcp)), contents.Count > 0 ? Of(contents) : null,
            Of(samples.Select(s => s.Html)), Of(samples.Select(s => s.StylesAsked)), Of(samples.Select(s => s.StylesReceived)),
            Of(samples.Select(s => s.Parsed)));
    }

    /// <summary>The learner's cookie and a conversation with a question and its reply, made in the page as a learner would.</summary>
    private static async Task<(string State, string Url)> SignInWithAConversationAsync(BenchmarkPortal portal)
    {
        portal.Groq.Default = FakeGroqServer.Reply(GroqStream.Reply("A **loop** repeats a block of code while a condition holds. " +
            string.Concat(Enumerable.Repeat("Each pass runs the body once. ", 12)), pieceLength: 8));
        var context = await portal.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserBenchmark.RegisterAsync(page); // the first account: an admin, so the dashboard opens
        await Assertions.Expect(page.Locator("[data-testid=chat-input]")).ToHaveAttributeAsync("data-keys-ready", "true");
        await page.FillAsync("[data-testid=chat-input]", "What is a loop?");
        await page.PressAsync("[data-testid=chat-input]", "Enter");
        await page.WaitForURLAsync("**/chat/*");
        await Assertions.Expect(page.Locator("[data-testid=message][data-role=Assistant]").Last).ToHaveAttributeAsync("data-status", "Complete");
        var url = new Uri(page.Url).PathAndQuery.TrimStart('/');
        var state = await context.StorageStateAsync();
        await context.CloseAsync();
        return (state, url);
    }

    private static async Task<Sample> MeasureAsync(Target target, bool printResources)
    {
        var context = await target.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = target.BaseUrl, StorageState = target.State, ViewportSize = new() { Width = 1366, Height = 800 },
        });
        context.SetDefaultTimeout(60_000);
        await context.AddInitScriptAsync(Watch);
        var page = await context.NewPageAsync();
        // CODEMENTOR_PAINT_TRACE=folder records a Chromium trace of each target's last load (for Perfetto).
        var traceFolder = printResources ? Environment.GetEnvironmentVariable("CODEMENTOR_PAINT_TRACE") : null;
        var trace = traceFolder is null ? null : await ChromiumTrace.StartAsync(page);
        await page.GotoAsync(target.Url);
        // Until the page is live (CodeMentor: the page's ready flag; the template: its content), then its timeline.
        if (target.State is not null)
        {
            await page.WaitForSelectorAsync("[data-ready=true]", new() { State = WaitForSelectorState.Attached });
        }
        await page.WaitForSelectorAsync(target.Content, new() { State = WaitForSelectorState.Attached });
        await page.WaitForTimeoutAsync(300); // lets the last paint's entries arrive
        var timeline = await page.EvaluateAsync<double?[]>($$"""
            () => {
                const navigation = performance.getEntriesByType('navigation')[0];
                const styles = performance.getEntriesByType('resource').filter(e => e.renderBlockingStatus === 'blocking');
                return [
                    performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
                    window.__lcp || null,
                    window.__seen['{{target.Content}}'] ?? null,
                    navigation.responseEnd,
                    styles.length ? Math.min(...styles.map(e => e.startTime)) : null,
                    styles.length ? Math.max(...styles.map(e => e.responseEnd)) : null,
                    navigation.domInteractive,
                ];
            }
            """);
        if (trace is not null)
        {
            var name = new string(target.Name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());
            await trace.SaveAsync(Path.Combine(traceFolder!, name + ".json"));
        }
        if (printResources && Environment.GetEnvironmentVariable("CODEMENTOR_PAINT_RESOURCES") == "1")
        {
            // What the browser fetched and when: what holds the first paint back.
            Console.WriteLine($"{target.Name}: {await page.EvaluateAsync<int>("() => document.getElementsByTagName('*').length")} elements");
            Console.WriteLine(await page.EvaluateAsync<string>("""
                () => [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]
                    .map(e => `  ${e.name.replace(location.origin, '')} start ${e.startTime.toFixed(0)} asked ${e.requestStart.toFixed(0)} first byte ${e.responseStart.toFixed(0)} end ${e.responseEnd.toFixed(0)} ${e.renderBlockingStatus ?? ''} ${e.encodedBodySize}/${e.decodedBodySize} B`).join('\n')
                """));
        }
        await context.CloseAsync();
        return new Sample(timeline[0] ?? double.NaN, timeline[1] ?? double.NaN, timeline[2], timeline[3] ?? double.NaN,
            timeline[4] ?? double.NaN, timeline[5] ?? double.NaN, timeline[6] ?? double.NaN);
    }

    /// <summary>The plain Blazor Server template, generated by the SDK and published in Release into a temporary
    /// folder, running in Production on a free port.</summary>
    private sealed class PlainTemplate : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _folder;

        private PlainTemplate(Process process, string folder, int port) => (_process, _folder, BaseUrl) = (process, folder, $"http://127.0.0.1:{port}/");

        public string BaseUrl { get; }

        public static async Task<PlainTemplate> StartAsync()
        {
            var folder = Path.Combine(Path.GetTempPath(), $"codementor-template-{Guid.NewGuid():N}");
            await DotnetAsync(Path.GetTempPath(), "new", "blazor", "--interactivity", "Server", "-o", folder, "-n", "PlainTemplate");
            await DotnetAsync(folder, "publish", "-c", "Release", "-o", Path.Combine(folder, "out"));
            var port = LocalPort.Free();
            var start = new ProcessStartInfo("dotnet", [Path.Combine(folder, "out", "PlainTemplate.dll"), "--urls", $"http://127.0.0.1:{port}"])
            {
                WorkingDirectory = Path.Combine(folder, "out"), RedirectStandardOutput = true, RedirectStandardError = true,
            };
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var http = new HttpClient();
            for (var tries = 0; ; tries++)
            {
                try
                {
                    (await http.GetAsync($"http://127.0.0.1:{port}/")).EnsureSuccessStatusCode();
                    break;
                }
                catch (HttpRequestException) when (tries < 100)
                {
                    await Task.Delay(200);
                }
            }
            return new PlainTemplate(process, folder, port);
        }

        private static async Task DotnetAsync(string workingDirectory, params string[] arguments)
        {
            var start = new ProcessStartInfo("dotnet", arguments) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"dotnet {string.Join(' ', arguments)} failed: {await output}{await error}");
            }
        }

        public ValueTask DisposeAsync()
        {
            _process.Kill(entireProcessTree: true);
            _process.Dispose();
            Directory.Delete(_folder, recursive: true);
            return ValueTask.CompletedTask;
        }
    }
}
