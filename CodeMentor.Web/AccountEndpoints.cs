using CodeMentor.Core.Accounts;
using Microsoft.AspNetCore.Identity;

namespace CodeMentor.Web;

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
    }
}
