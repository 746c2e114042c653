using System.Security.Claims;
using Bunit;
using CodeMentor.Core.Accounts;
using CodeMentor.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace CodeMentor.Tests.Support;

/// <summary>A bunit context with MudBlazor, the real core services over a SQLite file, a scripted
/// model, and a signed-in learner, for page tests.</summary>
public sealed class BunitHost : IAsyncDisposable
{
    private readonly string _folder = TempFolder.Create();

    public BunitContext Context { get; } = new();
    public ScriptedChatClient Model { get; } = new();
    public string UserId { get; } = Guid.NewGuid().ToString();

    /// <summary>Renders as the portal's circuit does (interactive on the server); the pages'
    /// prerendered first paint is covered by the browser journeys.</summary>
    /// <remarks>Call once the services are registered: it builds the renderer, which fixes them.</remarks>
    public static void RenderOnTheCircuit(BunitContext context) =>
        context.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));

    public static async Task<BunitHost> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var host = new BunitHost();
        var ctx = host.Context;
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices();
        ctx.Services.AddCodeMentorCoreForTests(host._folder, settings ?? new() { ["Llm:Groq:ApiKey"] = "test-key" });
        ctx.Services.AddSingleton<IChatClient>(host.Model);
        var auth = ctx.AddAuthorization();
        auth.SetAuthorized("ada@example.org");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, host.UserId));
        await ctx.Services.GetRequiredService<DatabaseInitializer>().StartAsync(CancellationToken.None);
        await host.AddUserAsync(host.UserId, "ada@example.org");
        RenderOnTheCircuit(ctx);
        host.Popovers = ctx.Render<MudPopoverProvider>();
        return host;
    }

    /// <summary>Where menus and dialogs open (MudBlazor renders them outside the component).</summary>
    public IRenderedComponent<MudPopoverProvider> Popovers { get; private set; } = default!;

    public T Get<T>() where T : notnull => Context.Services.GetRequiredService<T>();

    public async Task AddUserAsync(string id, string email)
    {
        await using var db = await Get<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        db.Users.Add(new AppUser { Id = id, UserName = email, Email = email });
        await db.SaveChangesAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Model.Finish();
        await Context.DisposeAsync();
        TempFolder.Delete(_folder);
    }
}
