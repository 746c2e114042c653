using CodeMentor.Core;
using CodeMentor.Core.Accounts;
using CodeMentor.Core.Configuration;
using CodeMentor.Core.Data;
using CodeMentor.Web.Accounts;
using CodeMentor.Web.Components;
using CodeMentor.Web.Components.Shared;
using CodeMentor.Web.Hubs;
using CodeMentor.Web.Observability;
using CodeMentor.Web.OpenAiApi;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using MudBlazor.Services;

namespace CodeMentor.Web;

public static class CodeMentorWebExtensions
{
    public const string DefaultUrl = "http://localhost:5136";

    /// <summary>Largest message a browser may send to its circuit: the biggest text a page lets
    /// through (LimitedTextArea.MaxSendableUnits UTF-16 units, at most 3 bytes each) plus framing.</summary>
    public const long MaxCircuitMessageBytes = 4 * 1024 * 1024;

    public static WebApplicationBuilder AddCodeMentor(this WebApplicationBuilder builder)
    {
        // Run from source, serve the framework's and MudBlazor's files in any environment (a
        // published app serves them anyway); Production is the default, as deployed.
        builder.WebHost.UseStaticWebAssets();
        // A build's manifest (dotnet run) otherwise switches on the static-asset reloader, which answers every file
        // with no-cache and re-gzips it unpacked; off, files are served as published: precompressed, fingerprinted
        // ones immutable. Development keeps the framework's default, so edited files show at once.
        if (!builder.Environment.IsDevelopment())
        {
            builder.Configuration["ReloadStaticAssetsAtRuntime"] ??= "false";
        }
        // The documented port, unless the user chose one the usual ways (ASPNETCORE_URLS, --urls,
        // ASPNETCORE_HTTP_PORTS, Kestrel endpoints in appsettings.json).
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"])
            && string.IsNullOrEmpty(builder.Configuration["https_ports"]) && !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
        // Keys may live in the developer's user-secrets (outside the repository) in any environment;
        // the original design's flat names (GROQ_API_KEY, LLM_TIMEOUT, ...) win over both.
        AddUserSecretsBelowTheEnvironment(builder.Configuration);
        builder.Configuration.AddEnvironmentAliases();
        if (SettingsCatalog.Check(builder.Configuration) is { Count: > 0 } problems)
        {
            throw new InvalidSettingsException(problems);
        }
        builder.Services.AddCodeMentorCore(builder.Configuration);
        builder.Services.AddCodeMentorWeb(builder.Configuration);
        builder.Services.AddCodeMentorPasswordReset(builder.Configuration);
        builder.AddCodeMentorObservability();
        builder.Services.AddCodeMentorOpenAiApi();
        return builder;
    }

    private static void AddUserSecretsBelowTheEnvironment(ConfigurationManager configuration)
    {
        var secrets = new ConfigurationBuilder().AddUserSecrets<Program>(optional: true).Sources.Single();
        var environment = configuration.Sources.ToList().FindIndex(s => s is Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationSource);
        if (!configuration.Sources.Any(s => s is Microsoft.Extensions.Configuration.Json.JsonConfigurationSource { Path: "secrets.json" }))
        {
            configuration.Sources.Insert(environment < 0 ? configuration.Sources.Count : environment, secrets);
        }
    }

    public static IServiceCollection AddCodeMentorWeb(this IServiceCollection services, IConfiguration configuration)
    {
        // The circuit takes what a learner may paste (the pages count and refuse text over their
        // limits; far bigger text stays in the browser, see LimitedTextArea) instead of closing at 32 KB.
        services.AddRazorComponents().AddInteractiveServerComponents()
            .AddHubOptions(o => o.MaximumReceiveMessageSize = MaxCircuitMessageBytes);
        services.AddMudServices();
        services.AddSingleton<CodeMentor.Web.Components.Layout.ThemeStylesheets>();
        // The learner's time zone for every component that shows a time: one source per circuit, set by the layout
        // once the browser has said (a CascadingValue component would be kept by every open page).
        services.AddScoped(_ => new CascadingValueSource<BrowserTime>(BrowserTime.Utc, isFixed: false));
        services.AddCascadingValue(sp => sp.GetRequiredService<CascadingValueSource<BrowserTime>>());

        services.AddCascadingAuthenticationState();
        services.AddHttpContextAccessor(); // the layout reads the display cookie while prerendering
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();
        services.AddAuthentication(o =>
        {
            o.DefaultScheme = IdentityConstants.ApplicationScheme;
            o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
        }).AddIdentityCookies();
        services.AddAuthentication().AddBearerToken(IdentityConstants.BearerScheme, o =>
        {
            // SignalR's WebSocket transport cannot send headers: it passes the token in the query.
            o.Events.OnMessageReceived = context =>
            {
                if (context.Request.Path.StartsWithSegments(TutorHub.Path)
                    && context.Request.Query.TryGetValue("access_token", out var token))
                {
                    context.Token = token;
                }
                return Task.CompletedTask;
            };
        });
        services.AddSingleton<SignInThrottle>();
        var signalR = services.AddSignalR(o => Microsoft.AspNetCore.SignalR.HubOptionsExtensions.AddFilter<HubErrorFilter>(o))
            // Oversized questions get a clear error from Ask instead of a closed connection.
            .AddHubOptions<TutorHub>(o =>
            {
                o.MaximumReceiveMessageSize = 2 * 1024 * 1024;
                o.EnableDetailedErrors = true; // binding errors explain themselves; other errors are made safe by HubErrorFilter
            });
        services.AddCodeMentorScaleOut(configuration, signalR);
        services.AddAuthorization();
        services.AddIdentityCore<AppUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 8;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = false;
                o.SignIn.RequireConfirmedAccount = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AppDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/login";
            o.Cookie.Name = "codementor.auth";
            // Scripts and editor plugins get status codes, not a redirect to the login page.
            o.Events.OnRedirectToLogin = context => StatusOrRedirect(context, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = context => StatusOrRedirect(context, StatusCodes.Status403Forbidden);
        });
        return services;
    }

    private static Task StatusOrRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        if (IsMachineEndpoint(context.Request.Path))
        {
            context.Response.StatusCode = status;
        }
        else if (status == StatusCodes.Status403Forbidden)
        {
            context.Response.StatusCode = status; // the status page explains; the address stays what was asked for
        }
        else
        {
            context.Response.Redirect(context.RedirectUri);
        }
        return Task.CompletedTask;
    }

    private static bool IsMachineEndpoint(PathString path) =>
        path.StartsWithSegments("/hubs") || path.StartsWithSegments("/api") || path.StartsWithSegments("/v1")
        || ObservabilityExtensions.IsProbe(path);

    public static WebApplication MapCodeMentor(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }
        // Friendly error pages for people; plain status codes for the hub and the API.
        app.UseWhen(context => !IsMachineEndpoint(context.Request.Path),
            pages => pages.UseStatusCodePagesWithReExecute("/status/{0}", createScopeForStatusCodePages: true));
        // Inside the status pages, so a page's 503 is shown as one; around everything that reads the database.
        app.UseDatabaseOutageAnswers();
        // Routing after the status pages, so a re-executed request is routed to the status page.
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapAccountEndpoints();
        app.MapAdminEndpoints();
        app.MapLearnerEndpoints();
        app.MapHub<TutorHub>(TutorHub.Path);
        app.MapCodeMentorObservability();
        app.MapOpenAiEndpoints();
        return app;
    }
}
