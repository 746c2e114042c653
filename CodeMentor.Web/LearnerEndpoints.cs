using System.Security.Claims;
using CodeMentor.Core.Accounts;
using CodeMentor.Core.Tutoring;
using CodeMentor.Web.Components.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace CodeMentor.Web;

internal sealed record ExportQuery(Guid Id, string? Format);

internal static class LearnerEndpoints
{
    /// <summary>A learner's own data: conversation export, password change, and deleting the account with
    /// everything in it. Downloads and cookie changes need plain HTTP, so these are endpoints, not circuit calls.</summary>
    public static void MapLearnerEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/chat/{id:guid}/export", async Task<IResult> ([AsParameters] ExportQuery query, ClaimsPrincipal user,
            ConversationStore store, TimeProvider time) =>
        {
            var conversation = await store.GetAsync(UserId.Of(user), query.Id);
            if (conversation is null)
            {
                return TypedResults.NotFound();
            }
            var name = "codementor-" + FileName(conversation.Title);
            var now = time.GetUtcNow().UtcDateTime;
            return query.Format?.ToLowerInvariant() switch
            {
                "json" => TypedResults.File(System.Text.Encoding.UTF8.GetBytes(LearnerData.ToJson(conversation, now)), "application/json", name + ".json"),
                "markdown" or "md" or null => TypedResults.File(System.Text.Encoding.UTF8.GetBytes(LearnerData.ToMarkdown(conversation, now)), "text/markdown", name + ".md"),
                _ => TypedResults.Problem("Choose format=markdown or format=json.", statusCode: StatusCodes.Status400BadRequest),
            };
        }).RequireAuthorization();

        endpoints.MapPost("/account/password", async ([FromForm] string currentPassword, [FromForm] string newPassword, [FromForm] string confirmPassword,
            ClaimsPrincipal principal, UserManager<AppUser> users, SignInManager<AppUser> signIn) =>
        {
            if (newPassword != confirmPassword)
            {
                return Back("confirmation");
            }
            var user = await users.GetUserAsync(principal);
            if (user is null)
            {
                return TypedResults.LocalRedirect("~/account/login");
            }
            var result = await users.ChangePasswordAsync(user, currentPassword, newPassword);
            if (!result.Succeeded)
            {
                return Back(result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.PasswordMismatch)) ? "current" : "rules");
            }
            await signIn.RefreshSignInAsync(user); // the security stamp changed; keep this browser signed in
            return TypedResults.LocalRedirect("~/profile?password=changed");
        }).RequireAuthorization();

        endpoints.MapPost("/account/delete", async ([FromForm] string password, ClaimsPrincipal principal,
            UserManager<AppUser> users, SignInManager<AppUser> signIn, LearnerData data) =>
        {
            var user = await users.GetUserAsync(principal);
            if (user is null)
            {
                return TypedResults.LocalRedirect("~/account/login");
            }
            if (!await users.CheckPasswordAsync(user, password))
            {
                return TypedResults.LocalRedirect("~/profile?delete=wrong-password#delete-account");
            }
            await data.DeleteEverythingAsync(user.Id);
            await users.DeleteAsync(user);
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect("~/account/login?deleted=1");
        }).RequireAuthorization();
    }

    /// <summary>Back to the profile with an error code the page turns into its own text.</summary>
    private static RedirectHttpResult Back(string error) =>
        TypedResults.LocalRedirect("~/profile?passwordError=" + error + "#password");

    private static string FileName(string title)
    {
        var cleaned = new string(title.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray());
        cleaned = string.Join('-', cleaned.Split('-', StringSplitOptions.RemoveEmptyEntries));
        return cleaned.Length == 0 ? "conversation" : cleaned[..Math.Min(cleaned.Length, 60)];
    }
}
