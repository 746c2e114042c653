using CodeMentor.Core.Accounts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CodeMentor.Tests.Support;

/// <summary>The real app on a loopback Kestrel port with a fresh SQLite file and the fake Groq
/// server over HTTP: for clients that need a real address (OpenAI's SDKs, a Prometheus scrape).</summary>
public sealed class KestrelPortal : IAsyncDisposable
{
    private readonly string _folder = TempFolder.Create();
    private WebApplicationFactory<Program> _factory = default!;

    public FakeGroqServer Groq { get; private set; } = default!;
    public Uri BaseUri { get; private set; } = default!;
    public IServiceProvider Services => _factory.Services;

    /// <summary>What the portal logged at error level, for the failure message of a journey.</summary>
    public ServerErrorLog ServerErrors { get; } = new();

    /// <param name="port">A fixed port, for settings that must name the portal's address; 0 lets the OS choose.</param>
    public static async Task<KestrelPortal> StartAsync(IReadOnlyDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null, int port = 0)
    {
        var portal = new KestrelPortal { Groq = await FakeGroqServer.StartAsync() };
        portal._factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.ConfigureLogging(logging => logging.AddProvider(portal.ServerErrors));
            web.UseSetting("ConnectionStrings:CodeMentor", $"Data Source={portal.DatabaseFile}");
            web.UseSetting("Llm:Groq:ApiKey", FakeGroqServer.Key);
            web.UseSetting("Llm:Groq:Endpoint", portal.Groq.BaseUri.ToString());
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                web.UseSetting(key, value);
            }
            if (services is not null)
            {
                web.ConfigureServices(services);
            }
        });
        // A port chosen by the OS unless given (UseKestrel(0) falls back to 5000), so portals can run side by side.
        portal._factory.UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, port));
        portal._factory.StartServer();
        var address = portal._factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        portal.BaseUri = new Uri(address.TrimEnd('/') + "/");
        return portal;
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseUri };

    /// <summary>The portal's SQLite file.</summary>
    public string DatabaseFile => Path.Combine(_folder, "portal.db");

    /// <summary>Registers a user and returns their id.</summary>
    public async Task<string> RegisterAsync(string email, string password = "correct-horse-42")
    {
        using var scope = Services.CreateScope();
        var result = await scope.ServiceProvider.GetRequiredService<AccountService>().RegisterAsync(email, password);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
        return (await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync(email))!.Id;
    }

    /// <summary>Makes an API key for the user, as the profile page does, and returns the secret.</summary>
    public async Task<string> CreateKeyAsync(string userId, string name = "tests")
    {
        var made = await Services.GetRequiredService<ApiKeyService>().CreateAsync(userId, name);
        Assert.Null(made.Error);
        return made.Secret!;
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        await Groq.DisposeAsync();
        TempFolder.Delete(_folder);
    }
}
