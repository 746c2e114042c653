using Microsoft.AspNetCore.Identity;

namespace CodeMentor.Core.Accounts;

public sealed class AppUser : IdentityUser
{
    public DateTime CreatedAtUtc { get; set; } = DateTime.UtcNow;
}

public static class Roles
{
    public const string Admin = "Admin";

    /// <summary>Creates courses and sees their aggregates; granted by an admin.</summary>
    public const string Teacher = "Teacher";
}
