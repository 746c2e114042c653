using CodeMentor.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
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

    private readonly string _folder = TempFolder.Create();
    private WebApplicationFactory<Program>? _factory;
    private IPlaywright? _playwright;

    public FakeGroqServer Groq { get; private set; } = default!;
    public IBrowser Browser { get; private set; } = default!;
    public string BaseUrl { get; private set; } = "";

    public static string ChromiumPath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        Groq = await FakeGroqServer.StartAsync();
        // A reply of ~80 pieces at 50 ms: about four seconds, long enough to watch and to reload during.
        var text = "A **loop** repeats a block of code. " + string.Concat(Enumerable.Range(1, 14).Select(i => $"Step {i} runs again. ")) + ReplyEnd;
        Groq.Default = FakeGroqServer.Reply(GroqStream.Reply(text, reasoning: "Learner is a beginner.", pieceLength: 4), TimeSpan.FromMilliseconds(50));

        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:CodeMentor", $"Data Source={Path.Combine(_folder, "portal.db")}");
            web.UseSetting("Llm:Groq:ApiKey", FakeGroqServer.Key);
            web.UseSetting("Llm:Groq:Endpoint", Groq.BaseUri.ToString());
            foreach (var (key, value) in Settings)
            {
                web.UseSetting(key, value);
            }
        });
        // A free port chosen by the OS (UseKestrel(0) falls back to 5000), so portals can run side by side.
        _factory.UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, Port));
        _factory.StartServer();
        BaseUrl = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1").TrimEnd('/') + "/";

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
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
    }

    /// <summary>A fresh browser profile (own cookies) for one user.</summary>
    public async Task<IPage> NewUserPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl });
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
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        await Groq.DisposeAsync();
        TempFolder.Delete(_folder);
    }
}

[CollectionDefinition(Name)]
public sealed class PortalCollection : ICollectionFixture<PortalFixture>
{
    public const string Name = "portal";
}
