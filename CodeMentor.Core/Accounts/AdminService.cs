using CodeMentor.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CodeMentor.Core.Accounts;

public sealed record UserAccount(string Id, string Email, bool IsAdmin, DateTime CreatedAtUtc);

/// <summary>Admin actions on accounts. Callers are checked for the Admin role by the pages; the
/// service also refuses to leave the portal without any admin.</summary>
public sealed class AdminService(IDbContextFactory<AppDbContext> db, UserManager<AppUser> users)
{
    public async Task<IReadOnlyList<UserAccount>> ListAsync(CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var adminRoleId = await context.Roles.Where(r => r.Name == Roles.Admin).Select(r => r.Id).SingleOrDefaultAsync(ct);
        var admins = await context.UserRoles.Where(ur => ur.RoleId == adminRoleId).Select(ur => ur.UserId).ToListAsync(ct);
        var all = await context.Users.AsNoTracking().OrderBy(u => u.Email).Select(u => new { u.Id, u.Email, u.CreatedAtUtc }).ToListAsync(ct);
        return all.Select(u => new UserAccount(u.Id, u.Email ?? u.Id, admins.Contains(u.Id), u.CreatedAtUtc)).ToList();
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
        var result = isAdmin ? await users.AddToRoleAsync(user, Roles.Admin) : await users.RemoveFromRoleAsync(user, Roles.Admin);
        if (result.Succeeded)
        {
            await users.UpdateSecurityStampAsync(user); // their open sessions pick up the change
            return null;
        }
        return string.Join(" ", result.Errors.Select(e => e.Description));
    }
}
