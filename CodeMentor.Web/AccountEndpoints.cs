using CodeMentor.Core.Accounts;
using Microsoft.AspNetCore.Identity;

namespace CodeMentor.Web;

internal sealed record TokenRequest(string Email, string Password);

internal static class AccountEndpoints
{
    /// <summary>Sign-out needs an HTTP request (it clears the cookie), so it is a form POST with
    /// antiforgery rather than a circuit call.</summary>
    public static void MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/account/logout", async (SignInManager<AppUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect("~/");
        });

        // For non-browser clients of the tutor hub: email and password in, bearer token out
        // (written by the Identity bearer-token handler). No cookie, so no antiforgery needed.
        endpoints.MapPost("/api/auth/token", async Task<IResult> (TokenRequest request, SignInManager<AppUser> signIn, SignInThrottle throttle, HttpContext context) =>
        {
            signIn.AuthenticationScheme = IdentityConstants.BearerScheme;
            var (succeeded, error, retryAfter) = await throttle.PasswordSignInAsync(signIn, context, request.Email, request.Password, persistent: false);
            if (succeeded)
            {
                return TypedResults.Empty;
            }
            if (retryAfter is { } wait)
            {
                context.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(wait.TotalSeconds)).ToString("0");
                return TypedResults.Problem(error, statusCode: StatusCodes.Status429TooManyRequests);
            }
            return TypedResults.Problem(error, statusCode: StatusCodes.Status401Unauthorized);
        }).DisableAntiforgery();
    }
}
