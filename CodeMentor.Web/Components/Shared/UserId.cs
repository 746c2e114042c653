using System.Security.Claims;

namespace CodeMentor.Web.Components.Shared;

internal static class UserId
{
    /// <summary>The signed-in user's id; every data query is scoped by it.</summary>
    public static string Of(ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier)
        ?? throw new InvalidOperationException("The page requires a signed-in user.");
}
