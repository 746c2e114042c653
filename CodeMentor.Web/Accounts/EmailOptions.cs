using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;

namespace CodeMentor.Web.Accounts;

/// <summary>Outgoing mail (password-reset links). Without an SMTP host nothing is mailed and the
/// "forgot password" page sends learners to an administrator, who can make a reset link.</summary>
public sealed class EmailOptions
{
    public const string SectionName = "Email";

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>The sender, e.g. <c>CodeMentor &lt;tutor@school.example&gt;</c>.</summary>
    public string? From { get; set; }

    /// <summary>The address learners open CodeMentor at. Mailed links are built from it, never from the
    /// request's Host header (which anyone can set, and a poisoned link would hand over the token).</summary>
    public string? PublicUrl { get; set; }

    public bool CanSend => !string.IsNullOrWhiteSpace(Smtp.Host);
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public string? Username { get; set; }
    public string? Password { get; set; }

    /// <summary>auto (STARTTLS when offered), starttls (required), ssl (TLS from the first byte, port 465) or none.</summary>
    public string Security { get; set; } = "auto";
}

/// <summary>The checks that span settings (each setting alone is checked by the settings catalog).</summary>
internal sealed class EmailOptionsValidator : IValidateOptions<EmailOptions>
{
    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        if (!options.CanSend)
        {
            return ValidateOptionsResult.Success;
        }
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.PublicUrl))
        {
            problems.Add("SMTP_HOST is set, so CODEMENTOR_PUBLIC_URL must be set too: the address learners open CodeMentor at, which mailed reset links point to.");
        }
        if (string.IsNullOrWhiteSpace(options.From) || !MimeKit.MailboxAddress.TryParse(options.From, out _))
        {
            problems.Add($"SMTP_HOST is set, so EMAIL_FROM must be the sender's address (e.g. \"CodeMentor <tutor@school.example>\"); it is '{options.From}'.");
        }
        if (!string.IsNullOrEmpty(options.Smtp.Username) && string.IsNullOrEmpty(options.Smtp.Password))
        {
            problems.Add("SMTP_USERNAME is set without SMTP_PASSWORD.");
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
