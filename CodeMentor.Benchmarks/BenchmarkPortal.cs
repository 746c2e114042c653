using CodeMentor.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;

namespace CodeMentor.Benchmarks;

/// <summary>The portal as built, on a free port with a fresh SQLite file, answered by the fake Groq
/// server, and Debian's headless Chromium to drive it: what every browser benchmark starts from.</summary>
internal sealed class BenchmarkPortal : IAsyncDisposable
{
    private readonly string _folder;
    private readonly IPlaywright _playwright;

    private BenchmarkPortal(FakeGroqServer groq, WebApplication app, string folder, IPlaywright playwright, IBrowser browser, int port)
    {
        (Groq, App, _folder, _playwright, Browser, BaseUrl) = (groq, app, folder, playwright, browser, $"http://127.0.0.1:{port}/");
    }

    public FakeGroqServer Groq { get; }
    public WebApplication App { get; }
    public IBrowser Browser { get; }
    public string BaseUrl { get; }

    public static async Task<BenchmarkPortal> StartAsync(string name, Dictionary<string, string?>? settings = null)
    {
        var groq = await FakeGroqServer.StartAsync();
        var folder = Path.Combine(Path.GetTempPath(), $"codementor-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var port = LocalPort.Free();
        var app = LoadBenchmark.BuildApp(folder, groq.BaseUri, port, settings);
        await app.StartAsync();
        var playwright = await Playwright.CreateAsync();
        var browser = await LaunchChromiumAsync(playwright);
        // Expectations wait as long as actions: a first page load here can take longer than Playwright's 5 s.
        Assertions.SetDefaultExpectTimeout(60_000);
        return new BenchmarkPortal(groq, app, folder, playwright, browser, port);
    }

    /// <summary>Debian's headless Chromium (or CHROMIUM_PATH), as every benchmark drives it.</summary>
    public static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium", Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking"],
    });

    /// <summary>This benchmark program started again in another of its modes (e.g. <c>load-clients</c>), its standard
    /// input and output redirected for the parent to talk to it.</summary>
    public static System.Diagnostics.ProcessStartInfo SelfStartInfo(string mode, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        if (!Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals("CodeMentor.Benchmarks", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(typeof(BenchmarkPortal).Assembly.Location); // run as `dotnet CodeMentor.Benchmarks.dll`
        }
        start.ArgumentList.Add(mode);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        return start;
    }

    /// <summary>A browser profile of its own, pointed at the portal.</summary>
    public async Task<IBrowserContext> NewContextAsync(int width = 1366, int height = 800, float timeoutMs = 60_000)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, ViewportSize = new() { Width = width, Height = height } });
        context.SetDefaultTimeout(timeoutMs);
        return context;
    }

    public string Header(string title) =>
        $"# {title} — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, Chromium {Browser.Version}, .NET {Environment.Version}";

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await LoadBenchmark.StopAsync(App, _folder);
        await App.DisposeAsync();
        await Groq.DisposeAsync();
    }
}
