using CodeMentor.Tests.Support;
using Microsoft.Playwright;
using CodeMentor.Testing;

namespace CodeMentor.Tests.EndToEnd;

/// <summary>
/// The whole portal on a real Kestrel port with a fresh SQLite file, talking to the fake Groq
/// server over HTTP, driven by Debian's headless Chromium through Playwright.
/// </summary>
public sealed class PortalFixture : IAsyncLifetime
{
    /// <summary>Extra configuration for the portal.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>A fixed port, for settings that must name the portal's address; 0 lets the OS choose.</summary>
    public int Port { get; init; }

    /// <summary>The end of every fake reply, so a test can tell a finished reply from a partial one.</summary>
    public const string ReplyEnd = "That is the whole idea.";

    private KestrelPortal _portal = default!;
    private IPlaywright? _playwright;

    public FakeGroqServer Groq => _portal.Groq;
    public IBrowser Browser { get; private set; } = default!;
    public string BaseUrl => _portal.BaseUri.ToString();
    public ServerErrorLog ServerErrors => _portal.ServerErrors;
    public string DatabaseFile => _portal.DatabaseFile;
    public IServiceProvider Services => _portal.Services;

    public static string ChromiumPath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        _portal = await KestrelPortal.StartAsync(Settings, port: Port);
        // A reply of ~80 pieces at 50 ms: about four seconds, long enough to watch and to reload during.
        var text = "A **loop** repeats a block of code. " + string.Concat(Enumerable.Range(1, 14).Select(i => $"Step {i} runs again. ")) + ReplyEnd;
        Groq.Default = FakeGroqServer.Reply(GroqStream.Reply(text, reasoning: "Learner is a beginner.", pieceLength: 4), TimeSpan.FromMilliseconds(50));

        _playwright = await Playwright.CreateAsync();
        Browser = await LaunchChromiumAsync(_playwright);
    }

    /// <summary>Debian's Chromium, headless, as every browser test here runs it.</summary>
    public static async Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright)
    {
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
            ],
        });
        Assertions.SetDefaultExpectTimeout(30_000);
        return browser;
    }

    /// <summary>A fresh browser profile (own cookies) for one user.</summary>
    /// <param name="timezoneId">The browser's time zone (IANA); the machine's when null.</param>
    public async Task<IPage> NewUserPageAsync(string? timezoneId = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, TimezoneId = timezoneId });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (_portal is not null)
        {
            await _portal.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PortalCollection : ICollectionFixture<PortalFixture>
{
    public const string Name = "portal";
}
