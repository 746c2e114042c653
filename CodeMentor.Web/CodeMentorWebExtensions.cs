using CodeMentor.Core;
using CodeMentor.Core.Accounts;
using CodeMentor.Core.Configuration;
using CodeMentor.Core.Data;
using CodeMentor.Web.Components;
using CodeMentor.Web.Hubs;
using Microsoft.AspNetCore.Identity;
using MudBlazor.Services;

namespace CodeMentor.Web;

public static class CodeMentorWebExtensions
{
    public static WebApplicationBuilder AddCodeMentor(this WebApplicationBuilder builder)
    {
        // The original design's flat names (GROQ_API_KEY, LLM_TIMEOUT, ...) win over appsettings.json.
        builder.Configuration.AddEnvironmentAliases();
        if (builder.Environment.IsDevelopment() || builder.Configuration.GetValue<bool>("UseUserSecrets"))
        {
            builder.Configuration.AddUserSecrets<Program>(optional: true);
            builder.Configuration.AddEnvironmentAliases(); // keep the environment above user-secrets
        }
        builder.Services.AddCodeMentorCore(builder.Configuration);
        builder.Services.AddCodeMentorWeb();
        return builder;
    }

    public static IServiceCollection AddCodeMentorWeb(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();

        services.AddCascadingAuthenticationState();
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
        services.AddSignalR();
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
            o.AccessDeniedPath = "/account/access-denied";
            o.Cookie.Name = "codementor.auth";
        });
        return services;
    }

    public static WebApplication MapCodeMentor(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapAccountEndpoints();
        app.MapHub<TutorHub>(TutorHub.Path);
        return app;
    }
}
