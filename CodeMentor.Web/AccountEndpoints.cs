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
        endpoints.MapPost("/api/auth/token", async Task<IResult> (TokenRequest request, SignInManager<AppUser> signIn) =>
        {
            signIn.AuthenticationScheme = IdentityConstants.BearerScheme;
            var result = await signIn.PasswordSignInAsync(request.Email, request.Password, isPersistent: false, lockoutOnFailure: true);
            return result.Succeeded
                ? TypedResults.Empty
                : TypedResults.Problem(result.IsLockedOut ? "Too many failed attempts; try again later." : "The email or password is not right.",
                    statusCode: StatusCodes.Status401Unauthorized);
        }).DisableAntiforgery();
    }
}
