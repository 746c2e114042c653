using CodeMentor.Testing;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using CodeMentor.Tests.Support;
using MimeKit;
using netDumbster.smtp;
using static CodeMentor.Tests.EndToEnd.ChatJourneyTests;
using static Microsoft.Playwright.Assertions;

namespace CodeMentor.Tests.EndToEnd;

/// <summary>Forgotten passwords, in headless Chromium: a link mailed over real SMTP (MailKit to an
/// in-process SMTP server) that works once, the same answer for addresses without an account, and the
/// link an administrator makes when the server does not send mail.</summary>
[Collection(PortalCollection.Name)]
public sealed class PasswordResetJourneyTests : IAsyncLifetime
{
    private readonly SimpleSmtpServer _smtp = Configuration.Configure().WithAddress(IPAddress.Loopback).WithRandomPort().Build();
    private readonly PortalFixture _portal;

    public PasswordResetJourneyTests()
    {
        var port = LocalPort.Free();
        _portal = new PortalFixture
        {
            Port = port,
            Settings = new Dictionary<string, string?>
            {
                ["Email:Smtp:Host"] = "127.0.0.1",
                ["Email:Smtp:Port"] = _smtp.Configuration.Port.ToString(),
                ["Email:Smtp:Security"] = "none",
                ["Email:From"] = "CodeMentor <tutor@school.example>",
                ["Email:PublicUrl"] = $"http://127.0.0.1:{port}",
            },
        };
    }

    public Task InitializeAsync() => _portal.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        _smtp.Dispose();
    }

    private async Task<MimeMessage> MailAsync(int count)
    {
        await Eventually.TrueAsync(() => _smtp.ReceivedEmailCount >= count, "the mail to arrive");
        using var raw = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(_smtp.ReceivedEmail[count - 1].Data));
        return await MimeMessage.LoadAsync(raw);
    }

    private static async Task LogInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("account/login");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("[data-testid=login-submit]");
    }

    [Fact]
    public async Task A_learner_who_forgot_their_password_gets_a_link_by_email_that_works_once()
    {
        var page = await _portal.NewUserPageAsync();
        var email = await RegisterAsync(page);
        await page.Context.ClearCookiesAsync();

        // An address without an account gets the same answer and no mail.
        await page.GotoAsync("account/login");
        await page.ClickAsync("[data-testid=forgot-password]");
        // The link navigates in place (Blazor's enhanced navigation): the log-in page's own #email is there until it has.
        await Expect(page.Locator("[data-testid=reset-request-submit]")).ToBeVisibleAsync();
        await page.FillAsync("#email", "nobody@example.org");
        await page.ClickAsync("[data-testid=reset-request-submit]");
        var answer = await page.Locator("[data-testid=reset-requested]").InnerTextAsync();
        await page.GotoAsync("account/forgot-password");
        await page.FillAsync("#email", email);
        await page.ClickAsync("[data-testid=reset-request-submit]");
        Assert.Equal(answer, await page.Locator("[data-testid=reset-requested]").InnerTextAsync());

        var mail = await MailAsync(1);
        Assert.Equal(1, _smtp.ReceivedEmailCount); // the outbox is in order: a mail for nobody@ would have come first
        Assert.Equal(email, mail.To.Mailboxes.Single().Address);
        Assert.Equal("tutor@school.example", mail.From.Mailboxes.Single().Address);
        var link = Regex.Match(mail.TextBody ?? "", @"http://\S+/account/reset-password\?\S+").Value;
        Assert.StartsWith(_portal.BaseUrl, link);

        // Two different passwords are refused; then the new one is saved and the old one stops working.
        await page.GotoAsync(link);
        await page.FillAsync("#password", "new-horse-43");
        await page.FillAsync("#confirm", "new-horse-44");
        await page.ClickAsync("[data-testid=reset-submit]");
        await Expect(page.Locator(".account-error")).ToContainTextAsync("The two passwords differ.");
        await page.FillAsync("#password", "new-horse-43");
        await page.FillAsync("#confirm", "new-horse-43");
        await page.ClickAsync("[data-testid=reset-submit]");
        await Expect(page.Locator("[data-testid=password-reset]")).ToBeVisibleAsync();

        await LogInAsync(page, email, "correct-horse-42");
        await Expect(page.Locator("[data-testid=account-error]")).ToHaveTextAsync("The email or password is not right.");
        await LogInAsync(page, email, "new-horse-43");
        await page.WaitForAddressAsync("/chat$");
        await WaitUntilInteractiveAsync(page);

        // The link is spent.
        await page.GotoAsync(link);
        await page.FillAsync("#password", "third-horse-45");
        await page.FillAsync("#confirm", "third-horse-45");
        await page.ClickAsync("[data-testid=reset-submit]");
        await Expect(page.Locator("[data-testid=account-error]")).ToContainTextAsync("does not work any more");
    }
}
