using System.Text;
using CodeMentor.Core.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace CodeMentor.Web.Accounts;

/// <summary>
/// Password reset with ASP.NET Core Identity's tokens: a link that works once (the password change
/// renews the security stamp the token is bound to) and for <see cref="LinkLifetime"/>. Learners ask
/// for it by email when the server can send mail; an administrator can always make one for a learner.
/// </summary>
public sealed class PasswordResets(UserManager<AppUser> users, SmtpMailer mailer, IOptions<EmailOptions> email)
{
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(2);

    public const string Requested = "If an account uses that address, a link to choose a new password is on its way. It works once, within 2 hours. "
        + "Nothing after a few minutes? Look in the spam folder, or ask an administrator for a link.";

    public const string LinkNotValid = "This reset link does not work any more: it was used already, it is more than 2 hours old, "
        + "or the password was changed since. Ask for a new one.";

    public bool CanEmail => mailer.CanSend;

    /// <summary>Mails a reset link when the address belongs to an account. Says nothing either way,
    /// so the page cannot be used to find out who has an account.</summary>
    public async Task RequestAsync(string address)
    {
        if (!CanEmail || await users.FindByEmailAsync(address.Trim()) is not { Email: { } to } user)
        {
            return;
        }
        var link = await LinkAsync(user, new Uri(email.Value.PublicUrl!.TrimEnd('/') + "/"));
        mailer.Enqueue(to, "Choose a new CodeMentor password",
            $"""
            Someone (we hope you) asked to choose a new password for the CodeMentor account {to}.

            Open this link to choose one. It works once, within 2 hours:
            {link}

            If it was not you, ignore this email: your password stays as it is.
            """);
    }

    /// <summary>A link an administrator hands to a learner (for servers that do not send mail).</summary>
    /// <param name="baseUri">The address the administrator is using CodeMentor at.</param>
    public async Task<string?> CreateLinkAsync(string userId, Uri baseUri) =>
        await users.FindByIdAsync(userId) is { } user ? await LinkAsync(user, baseUri) : null;

    public async Task<IdentityResult> ResetAsync(string userId, string code, string newPassword)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null || Decode(code) is not { } token)
        {
            return IdentityResult.Failed(users.ErrorDescriber.InvalidToken());
        }
        return await users.ResetPasswordAsync(user, token, newPassword);
    }

    private async Task<string> LinkAsync(AppUser user, Uri baseUri)
    {
        var token = await users.GeneratePasswordResetTokenAsync(user);
        var code = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));
        return new Uri(baseUri, $"account/reset-password?user={Uri.EscapeDataString(user.Id)}&code={code}").ToString();
    }

    private static string? Decode(string code)
    {
        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

public static class PasswordResetServiceCollectionExtensions
{
    public static IServiceCollection AddCodeMentorPasswordReset(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EmailOptions>().Bind(configuration.GetSection(EmailOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EmailOptions>, EmailOptionsValidator>();
        services.AddSingleton<SmtpMailer>();
        services.AddHostedService(sp => sp.GetRequiredService<SmtpMailer>());
        services.AddScoped<PasswordResets>();
        services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = PasswordResets.LinkLifetime);
        return services;
    }
}
