using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CodeMentor.Core.Accounts;

/// <summary>Registration rules: the first account becomes Admin, later ones are learners.</summary>
public sealed class AccountService(UserManager<AppUser> users, RoleManager<IdentityRole> roles)
{
    // Serialises registrations so two simultaneous first sign-ups cannot both become Admin.
    private static readonly SemaphoreSlim RegistrationGate = new(1, 1);

    public async Task<IdentityResult> RegisterAsync(string email, string password)
    {
        await RegistrationGate.WaitAsync();
        try
        {
            var isFirst = !await users.Users.AnyAsync();
            var user = new AppUser { UserName = email, Email = email };
            var result = await users.CreateAsync(user, password);
            if (!result.Succeeded || !isFirst)
            {
                return result;
            }
            if (!await roles.RoleExistsAsync(Roles.Admin))
            {
                await roles.CreateAsync(new IdentityRole(Roles.Admin));
            }
            return await users.AddToRoleAsync(user, Roles.Admin);
        }
        finally
        {
            RegistrationGate.Release();
        }
    }
}
