using CodeMentor.Core.Data;
using CodeMentor.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using CodeMentor.Tests.Support;
using static CodeMentor.Tests.EndToEnd.ChatJourneyTests;
using static Microsoft.Playwright.Assertions;

namespace CodeMentor.Tests.EndToEnd;

/// <summary>The first account (admin) sees usage after a few chats; a learner is refused, and later gets
/// a password reset link from the admin.
/// Runs on a portal of its own, so that "first account" is known.</summary>
[Collection(PortalCollection.Name)] // browser journeys run one at a time: they are the heaviest tests
public sealed class AdminJourneyTests : IAsyncLifetime
{
    private readonly PortalFixture _portal = new();

    public Task InitializeAsync() => _portal.InitializeAsync();

    public Task DisposeAsync() => _portal.DisposeAsync();

    [Fact]
    public async Task The_admin_sees_the_charts_after_a_few_chats_and_a_learner_is_refused()
    {
        var admin = await _portal.NewUserPageAsync();
        await RegisterAsync(admin);
        await StartConversationAsync(admin);
        var replies = admin.Locator("[data-testid=message][data-role=Assistant][data-status=Complete]");
        var answered = 1; // the greeting
        foreach (var question in new[] { "What is a loop?", "And a while loop?" })
        {
            await AskAsync(admin, question);
            await Expect(replies).ToHaveCountAsync(++answered);
        }

        // The AI summary of the insights panel (no figure in it, so it is accepted and cached for the period).
        _portal.Groq.Enqueue(FakeGroqServer.Reply(GroqStream.Reply("Usage is light: a learner asked the tutor about loops.")));
        await admin.ClickAsync("[data-testid=admin-link]");
        await Expect(admin.Locator("[data-testid=admin-dashboard]")).ToHaveAttributeAsync("data-ready", "true");

        // Two chat calls (the insights panel's summary call is recorded too, as "insight").
        await Expect(admin.Locator("[data-testid=table-features] tr", new() { HasText = "chat" }).Locator("td").Nth(1)).ToHaveTextAsync("2");
        await Expect(admin.Locator("[data-testid=charts] svg")).ToHaveCountAsync(5);
        await Expect(admin.Locator("[data-testid=table-models]")).ToContainTextAsync("openai/gpt-oss-20b");
        await Expect(admin.Locator("[data-testid=insights] [data-testid=finding]").First).ToBeVisibleAsync();

        // A full load of the dashboard reads each of its figures once: the prerendered page hands what it read to the
        // page's circuit, and the insights use the page's figures (the same command with the same values twice would be
        // a second read). The AI summary is cached, so the reload makes no model call (whose ledger row would refresh the
        // live page, a read of its own).
        // Left for another admin page first, so the live refresh that the summary's own ledger row scheduled on this
        // page is cancelled with it and does not fall into the count below.
        await admin.ClickAsync("[data-testid=admin-nav] a[href='admin/users']");
        await Expect(admin.Locator("[data-testid=admin-users]")).ToBeVisibleAsync();
        var contexts = _portal.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        TimeSpan loggingCacheTime;
        await using (var db = await contexts.CreateDbContextAsync())
        {
            loggingCacheTime = db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()!.LoggingCacheTime;
        }
        using (var commands = await SqlCommandLog.StartAsync(_portal.DatabaseFile, loggingCacheTime, async () =>
        {
            await using var db = await contexts.CreateDbContextAsync();
            await db.Users.CountAsync();
        }))
        {
            await admin.GotoAsync("admin");
            await Expect(admin.Locator("[data-testid=admin-dashboard]")).ToHaveAttributeAsync("data-ready", "true");
            await Expect(admin.Locator("[data-testid=insights] [data-testid=finding]").First).ToBeVisibleAsync();
            await Expect(admin.Locator("[data-testid=summary-text]")).ToContainTextAsync("Usage is light");
            var ledgerReads = commands.Commands.Where(c => c.Contains("\"Ledger", StringComparison.Ordinal) && c.StartsWith("SELECT", StringComparison.Ordinal)).ToList();
            // The period's summary (read while prerendering, the first paint shows it) was read, once.
            Assert.Single(ledgerReads, c => c.StartsWith("SELECT \"l\".\"Outcome\"", StringComparison.Ordinal));
            Assert.Empty(ledgerReads.GroupBy(c => c).Where(g => g.Count() > 1).Select(g => $"{g.Count()}× {g.Key}"));
        }
        await Expect(admin.Locator("[data-testid=table-features] tr", new() { HasText = "chat" }).Locator("td").Nth(1)).ToHaveTextAsync("2");
        await Expect(admin.Locator("[data-testid=charts] svg")).ToHaveCountAsync(5);

        var learner = await _portal.NewUserPageAsync();
        var learnerEmail = await RegisterAsync(learner);
        await Expect(learner.Locator("[data-testid=admin-link]")).ToHaveCountAsync(0);
        var response = await learner.GotoAsync("admin");

        Assert.Equal(403, response!.Status);
        await Expect(learner.Locator("[data-testid=status-page]")).ToHaveAttributeAsync("data-status", "403");
        await Expect(learner.Locator("[data-testid=figures]")).ToHaveCountAsync(0);

        // This portal sends no mail, so a learner who forgot their password is sent to an admin, who makes a link.
        await learner.Context.ClearCookiesAsync();
        await learner.GotoAsync("account/forgot-password");
        await Expect(learner.Locator("[data-testid=reset-by-admin]")).ToContainTextAsync("Ask an administrator");
        await admin.GotoAsync("admin/users");
        await admin.Locator($"[aria-label='Usage, limits, password ({learnerEmail})']").ClickAsync();
        await admin.ClickAsync("[data-testid=create-reset-link]");
        var link = await admin.Locator("input[data-testid=reset-link], [data-testid=reset-link] input").InputValueAsync();
        Assert.StartsWith(_portal.BaseUrl + "account/reset-password?user=", link);

        await learner.GotoAsync(link);
        await learner.FillAsync("#password", "fresh-horse-77");
        await learner.FillAsync("#confirm", "fresh-horse-77");
        await learner.ClickAsync("[data-testid=reset-submit]");
        await Expect(learner.Locator("[data-testid=password-reset]")).ToBeVisibleAsync();
        await learner.FillAsync("#email", learnerEmail);
        await learner.FillAsync("#password", "fresh-horse-77");
        await learner.ClickAsync("[data-testid=login-submit]");
        await learner.WaitForAddressAsync("/chat$");
    }
}
