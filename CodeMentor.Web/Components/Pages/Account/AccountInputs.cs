using System.ComponentModel.DataAnnotations;

namespace CodeMentor.Web.Components.Pages.Account;

internal sealed class LoginInput
{
    [Required, EmailAddress]
    public string Email { get; set; } = "";

    [Required, DataType(DataType.Password)]
    public string Password { get; set; } = "";
}

internal sealed class RegisterInput : NewPasswordInput
{
    [Required, EmailAddress, StringLength(256)]
    public string Email { get; set; } = "";
}

internal static class SafeReturnUrl
{
    /// <summary>Only local paths: a crafted returnUrl must not send the learner to another site.</summary>
    public static string From(string? returnUrl)
    {
        if (string.IsNullOrWhiteSpace(returnUrl))
        {
            return "/chat";
        }
        var path = returnUrl.StartsWith('/') ? returnUrl : "/" + returnUrl;
        return path.StartsWith("//") || path.Contains('\\') || path.Contains("://") ? "/chat" : path;
    }
}

internal sealed class ForgotPasswordInput
{
    [Required, EmailAddress, StringLength(256)]
    public string Email { get; set; } = "";
}

/// <summary>A new password, typed twice (registration and password reset).</summary>
internal class NewPasswordInput
{
    [Required, StringLength(200, MinimumLength = 8, ErrorMessage = "The password needs at least 8 characters.")]
    [DataType(DataType.Password)]
    public string Password { get; set; } = "";

    [Compare(nameof(Password), ErrorMessage = "The two passwords differ.")]
    [DataType(DataType.Password)]
    public string ConfirmPassword { get; set; } = "";
}
