using CodeMentor.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CodeMentor.Core.Accounts;

public sealed record UserAccount(string Id, string Email, bool IsAdmin, DateTime CreatedAtUtc, bool IsTeacher = false);

/// <summary>Admin actions on accounts. Callers are checked for the Admin role by the pages; the
/// service also refuses to leave the portal without any admin.</summary>
public sealed class AdminService(IDbContextFactory<AppDbContext> db, UserManager<AppUser> users, RoleManager<IdentityRole> roles)
{
    public async Task<IReadOnlyList<UserAccount>> ListAsync(CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var memberships = await context.UserRoles
            .Join(context.Roles.Where(r => r.Name == Roles.Admin || r.Name == Roles.Teacher), ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name })
            .ToListAsync(ct);
        bool In(string userId, string role) => memberships.Any(m => m.UserId == userId && m.Name == role);
        var all = await context.Users.AsNoTracking().OrderBy(u => u.Email).Select(u => new { u.Id, u.Email, u.CreatedAtUtc }).ToListAsync(ct);
        return all.Select(u => new UserAccount(u.Id, u.Email ?? u.Id, In(u.Id, Roles.Admin), u.CreatedAtUtc, In(u.Id, Roles.Teacher))).ToList();
    }

    public async Task<UserAccount?> FindAsync(string userId, CancellationToken ct = default) =>
        (await ListAsync(ct)).FirstOrDefault(u => u.Id == userId);

    /// <returns>An error for the admin, or null when done.</returns>
    public async Task<string?> SetAdminAsync(string userId, bool isAdmin)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return "That account no longer exists.";
        }
        if (!isAdmin && (await users.GetUsersInRoleAsync(Roles.Admin)).Count <= 1 && await users.IsInRoleAsync(user, Roles.Admin))
        {
            return "This is the only admin: make someone else an admin first.";
        }
        return await SetRoleAsync(user, Roles.Admin, isAdmin);
    }

    /// <summary>Grants or removes the Teacher role (teachers create courses). Their courses stay theirs either way.</summary>
    /// <returns>An error for the admin, or null when done.</returns>
    public async Task<string?> SetTeacherAsync(string userId, bool isTeacher)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return "That account no longer exists.";
        }
        if (isTeacher && !await roles.RoleExistsAsync(Roles.Teacher))
        {
            await roles.CreateAsync(new IdentityRole(Roles.Teacher));
        }
        return await SetRoleAsync(user, Roles.Teacher, isTeacher);
    }

    private async Task<string?> SetRoleAsync(AppUser user, string role, bool inRole)
    {
        if (await users.IsInRoleAsync(user, role) == inRole)
        {
            return null;
        }
        var result = inRole ? await users.AddToRoleAsync(user, role) : await users.RemoveFromRoleAsync(user, role);
        if (result.Succeeded)
        {
            await users.UpdateSecurityStampAsync(user); // their open sessions pick up the change
            return null;
        }
        return string.Join(" ", result.Errors.Select(e => e.Description));
    }
}
