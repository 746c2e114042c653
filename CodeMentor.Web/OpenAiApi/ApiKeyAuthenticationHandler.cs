using System.Security.Claims;
using System.Text.Encodings.Web;
using CodeMentor.Core.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CodeMentor.Web.OpenAiApi;

/// <summary>
/// "Authorization: Bearer cm_…" with a key the learner made on their profile page, as OpenAI's
/// clients send it. A missing, unknown or revoked key gets OpenAI's 401 error, so a client shows
/// its usual "invalid API key" message.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, ApiKeyService keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "CodeMentorApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        if (await keys.AuthenticateAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted) is not { } owner)
        {
            return AuthenticateResult.Fail("Unknown or revoked API key.");
        }
        // Roles too: an administrator's key can read /metrics (a scraper cannot sign in with a cookie).
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, owner.UserId) };
        claims.AddRange(owner.Roles.Select(role => new Claim(ClaimTypes.Role, role)));
        var identity = new ClaimsIdentity(claims, SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var presented = Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
        Response.Headers.WWWAuthenticate = "Bearer";
        await OpenAiErrors.WriteAsync(Context, StatusCodes.Status401Unauthorized, presented
                ? "Incorrect API key provided. Make a key on your CodeMentor profile page (Profile → API keys); a revoked key no longer works."
                : "You didn't provide an API key. Send it as 'Authorization: Bearer cm_…'; make one on your CodeMentor profile page (Profile → API keys).",
            "invalid_request_error", "invalid_api_key");
    }
}
