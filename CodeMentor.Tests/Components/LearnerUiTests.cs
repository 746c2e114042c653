using Bunit;
using CodeMentor.Core.Courses;
using CodeMentor.Core.Data;
using CodeMentor.Core.Markdown;
using CodeMentor.Core.Prompts;
using CodeMentor.Core.RateLimiting;
using CodeMentor.Core.Tutoring;
using CodeMentor.Tests.Support;
using CodeMentor.Web.Components.Layout;
using CodeMentor.Web.Components.Conversation;
using CodeMentor.Web.Components.Pages.Chat;
using CodeMentor.Web.Components.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MudBlazor;

namespace CodeMentor.Tests.Components;

/// <summary>States of the components this round changed, with bunit over the real services.</summary>
public sealed class LearnerUiTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private BunitHost _host = default!;

    public async Task InitializeAsync() =>
        _host = await BunitHost.StartAsync(new() { ["Llm:Groq:ApiKey"] = "test-key", ["RateLimits:RequestsPerMinute"] = "1" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private ConversationService Conversations => _host.Get<ConversationService>();

    private ConversationStore Store => _host.Get<ConversationStore>();

    [Fact]
    public async Task A_greeting_only_conversation_offers_nothing_to_regenerate()
    {
        var id = await Store.CreateAsync(_host.UserId, new LearnerContext());
        var page = _host.Context.Render<Chat>(p => p.Add(c => c.ConversationId, id));

        page.WaitForAssertion(() => Assert.Contains("I'm CodeMentor", page.Find("[data-testid=message-text]").TextContent), Wait);
        Assert.Empty(page.FindAll("[data-testid=regenerate]"));
        Assert.Empty(page.FindAll("[data-testid=edit-last]"));
    }

    [Fact]
    public async Task Over_the_limit_the_message_is_kept_with_one_countdown_and_an_offer_to_answer_automatically()
    {
        // The model is scripted here (no pipeline), so the minute's one request is taken as the pipeline would.
        var limits = await _host.Get<IUserLimitsSource>().GetAsync(_host.UserId);
        Assert.True((await _host.Get<UserRateLimiter>().TryAcquireAsync(_host.UserId, limits)).Allowed);
        var id = await Store.CreateAsync(_host.UserId, new LearnerContext());
        var page = _host.Context.Render<Chat>(p => p.Add(c => c.ConversationId, id));
        page.WaitForAssertion(() => page.Find("[data-testid=chat-input]"), Wait);

        page.Find("[data-testid=chat-input]").Input("Second question");
        page.Find("button[data-testid=send]").Click();

        page.WaitForAssertion(() =>
        {
            var alert = page.Find("[data-testid=send-error]");
            Assert.Contains("Your message is saved", alert.TextContent);
            Assert.DoesNotContain("Try again in", alert.TextContent); // one countdown, no second figure that goes stale
            Assert.Single(page.FindAll("[data-testid=countdown]"));
            Assert.NotNull(page.Find("[data-testid=auto-reply]"));
            Assert.Contains("Second question", page.FindAll("[data-role=User]")[^1].TextContent);
            Assert.NotNull(page.Find("[data-testid=regenerate]")); // "Get a reply" on the waiting message
        }, Wait);
    }

    [Fact]
    public async Task A_used_up_course_budget_says_why_and_when_it_renews_instead_of_counting_down()
    {
        // The learner works in a course whose 10 tokens a day per learner the pipeline has counted as used.
        var course = new Course { Id = Guid.NewGuid(), Name = "Python 101", JoinCode = "ABCDEFGH", BudgetPeriod = BudgetPeriod.Day, LearnerTokenBudget = 10 };
        await using (var db = await _host.Get<IDbContextFactory<AppDbContext>>().CreateDbContextAsync())
        {
            db.Courses.Add(course);
            db.CourseMembers.Add(new CourseMember { CourseId = course.Id, UserId = _host.UserId, Role = CourseRole.Learner, Working = true });
            await db.SaveChangesAsync();
        }
        var policy = (await _host.Get<CourseService>().StandingAsync(_host.UserId)).Working!;
        Assert.Equal(10, (await _host.Get<CourseBudgets>().StatusAsync(_host.UserId, policy))!.Left);
        await _host.Get<CourseBudgets>().RecordAsync(_host.UserId, policy, 25);

        var id = await Store.CreateAsync(_host.UserId, new LearnerContext());
        var page = _host.Context.Render<Chat>(p => p.Add(c => c.ConversationId, id));
        page.WaitForAssertion(() => Assert.Contains("0 tokens left today (yours; renews", page.Find("[data-testid=course-budget-left]").TextContent), Wait);
        page.Find("[data-testid=chat-input]").Input("One more question");
        page.Find("button[data-testid=send]").Click();

        page.WaitForAssertion(() =>
        {
            var alert = page.Find("[data-testid=send-error]");
            Assert.Contains("You have used your 10 tokens today in the course \"Python 101\". It renews", alert.TextContent);
            Assert.Contains("your message is saved", alert.TextContent);
            Assert.Empty(page.FindAll("[data-testid=countdown]")); // hours away: no seconds ticking down
            Assert.Contains("One more question", page.FindAll("[data-role=User]")[^1].TextContent);
        }, Wait);
        Assert.Empty(_host.Model.Calls);
    }

    [Fact]
    public async Task Editing_the_last_message_fills_the_box_and_says_what_sending_will_do()
    {
        var id = await Store.CreateAsync(_host.UserId, new LearnerContext());
        var page = _host.Context.Render<Chat>(p => p.Add(c => c.ConversationId, id));
        page.WaitForAssertion(() => page.Find("[data-testid=chat-input]"), Wait);
        page.Find("[data-testid=chat-input]").Input("What is a lop?");
        page.Find("button[data-testid=send]").Click();
        _host.Model.Send("Did you mean loop?");
        _host.Model.Finish();
        page.WaitForAssertion(() => page.Find("[data-testid=edit-last]"), Wait);

        // The finished reply is still being saved and re-rendered: find and click on the renderer's
        // own thread, so no render can replace the button in between.
        await page.InvokeAsync(() => page.Find("[data-testid=edit-last]").Click());

        page.WaitForAssertion(() =>
        {
            Assert.Contains("replaces it and the reply", page.Find("[data-testid=editing]").TextContent);
            Assert.Equal("What is a lop?", page.Find("[data-testid=chat-input]").GetAttribute("value"));
            Assert.Contains("Resend", page.Find("button[data-testid=send]").TextContent);
        }, Wait);
        page.Find("[data-testid=cancel-edit]").Click();
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=editing]")), Wait);
    }

    [Fact]
    public void The_conversation_list_groups_by_day_and_names_what_each_button_does()
    {
        var now = DateTime.UtcNow;
        var list = _host.Context.Render<ConversationList>(p => p
            .Add(c => c.Conversations, [new ConversationSummary(Guid.NewGuid(), "Loops", now), new ConversationSummary(Guid.NewGuid(), "Lists", now.AddDays(-1)),
                new ConversationSummary(Guid.NewGuid(), "Sets", now.AddDays(-3))])
            .Add(c => c.Search, _ => Task.FromResult<IReadOnlyList<ConversationMatch>>([])));

        Assert.Equal(["Today", "Yesterday", "Previous 7 days"], list.FindAll("[data-testid=conversation-group]").Select(g => g.TextContent));
        Assert.Equal("Actions for Lists", list.FindAll("[data-testid=conversation-actions] button")[1].GetAttribute("aria-label"));
    }

    [Fact]
    public void Pinned_chats_come_first_and_archived_ones_show_only_when_asked()
    {
        var now = DateTime.UtcNow;
        var pins = new List<(Guid, bool)>();
        var loops = new ConversationSummary(Guid.NewGuid(), "Loops", now);
        var list = _host.Context.Render<ConversationList>(p => p
            .Add(c => c.Conversations, [new ConversationSummary(Guid.NewGuid(), "Sets", now.AddDays(-3), Pinned: true), loops,
                new ConversationSummary(Guid.NewGuid(), "Old", now.AddDays(-1), Archived: true)])
            .Add(c => c.OnPin, ((Guid Id, bool Pinned) pin) => pins.Add(pin))
            .Add(c => c.Search, _ => Task.FromResult<IReadOnlyList<ConversationMatch>>([])));

        Assert.Equal(["Pinned", "Today"], list.FindAll("[data-testid=conversation-group]").Select(g => g.TextContent));
        Assert.Equal(["Sets", "Loops"], list.FindAll("[data-testid=conversation-link]").Select(a => a.TextContent));
        Assert.Equal("Show archived (1)", list.Find("[data-testid=toggle-archived]").TextContent.Trim());

        list.Find("[data-testid=toggle-archived]").Click();
        Assert.Equal(["Pinned", "Today", "Archived"], list.FindAll("[data-testid=conversation-group]").Select(g => g.TextContent));
        Assert.Equal("Hide archived", list.Find("[data-testid=toggle-archived]").TextContent.Trim());

        list.FindAll("[data-testid=conversation-actions] button")[1].Click(); // the menu of "Loops"
        var menu = _host.Popovers;
        menu.WaitForAssertion(() => Assert.Contains("Pin to top", menu.Find("[data-testid=pin]").TextContent), Wait);
        Assert.Contains("Archive", menu.Find("[data-testid=archive]").TextContent);
        menu.Find("[data-testid=pin]").Click();
        // Seen once in CI (2026-11-28): the callback had not run yet when Click returned; the menu lives in a popover
        // that renders on its own schedule, so the test waits for the callback as it waits for the menu above.
        list.WaitForAssertion(() => Assert.Equal([(loops.Id, true)], pins), Wait);
    }

    [Fact]
    public async Task A_rows_actions_menu_exists_only_while_open_and_closes_back_to_its_button()
    {
        var now = DateTime.UtcNow;
        var list = _host.Context.Render<ConversationList>(p => p
            .Add(c => c.Conversations, [new ConversationSummary(Guid.NewGuid(), "Loops", now), new ConversationSummary(Guid.NewGuid(), "Lists", now)])
            .Add(c => c.Search, _ => Task.FromResult<IReadOnlyList<ConversationMatch>>([])));

        Assert.Empty(list.FindComponents<MudMenu>());
        Assert.All(list.FindAll("[data-testid=conversation-actions] button"), b => Assert.Equal("false", b.GetAttribute("aria-expanded")));

        list.FindAll("[data-testid=conversation-actions] button")[0].Click();
        list.WaitForAssertion(() => Assert.Single(list.FindComponents<MudMenu>()), Wait);
        var menu = _host.Popovers;
        menu.WaitForAssertion(() => Assert.Contains("Rename", menu.Find("[data-testid=rename]").TextContent), Wait);
        var opened = list.FindAll("[data-testid=conversation-actions] button");
        Assert.Equal(["Actions for Loops", "Actions for Lists"], opened.Select(b => b.GetAttribute("aria-label")));
        Assert.Equal("true", opened[0].GetAttribute("aria-expanded"));

        await list.InvokeAsync(() => list.FindComponent<MudMenu>().Instance.CloseMenuAsync());
        list.WaitForAssertion(() => Assert.Empty(list.FindComponents<MudMenu>()), Wait);
        Assert.Equal("false", list.FindAll("[data-testid=conversation-actions] button")[0].GetAttribute("aria-expanded"));
    }

    [Fact]
    public async Task An_on_demand_menu_is_a_plain_button_until_opened_and_goes_back_to_one_when_closed()
    {
        var menu = _host.Context.Render<OnDemandMenu>(p => p
            .Add(c => c.Icon, Icons.Material.Filled.Download).Add(c => c.Label, "Export this conversation").Add(c => c.TestId, "export-menu")
            .AddChildContent<MudMenuItem>(item => item.Add(i => i.Href, "chat/x/export?format=markdown").AddChildContent("Export as Markdown")));

        Assert.Empty(menu.FindComponents<MudMenu>());
        var closed = menu.Find("[data-testid=export-menu] button");
        Assert.Equal(("Export this conversation", "false"), (closed.GetAttribute("aria-label"), closed.GetAttribute("aria-expanded")));

        closed.Click();
        menu.WaitForAssertion(() => Assert.Single(menu.FindComponents<MudMenu>()), Wait);
        var popovers = _host.Popovers;
        popovers.WaitForAssertion(() => Assert.Contains("Export as Markdown", popovers.Markup), Wait);
        Assert.Equal("true", menu.Find("[data-testid=export-menu] button").GetAttribute("aria-expanded"));

        await menu.InvokeAsync(() => menu.FindComponent<MudMenu>().Instance.CloseMenuAsync());
        menu.WaitForAssertion(() => Assert.Empty(menu.FindComponents<MudMenu>()), Wait);
        Assert.Equal("false", menu.Find("[data-testid=export-menu] button").GetAttribute("aria-expanded"));
    }

    [Fact]
    public async Task The_shared_theme_stylesheets_are_exactly_what_MudBlazors_theme_provider_draws()
    {
        var drawn = await new ThemeStylesheets(_host.Context.Services.GetRequiredService<IServiceScopeFactory>(),
            _host.Context.Services.GetRequiredService<ILoggerFactory>()).GetAsync();

        foreach (var dark in new[] { false, true })
        {
            var mud = _host.Context.Render<MudThemeProvider>(p => p.Add(c => c.Theme, CodeMentorTheme.Theme).Add(c => c.IsDarkMode, dark));
            Assert.Equal(mud.Markup, drawn.For(dark).Value);
        }
        Assert.NotEqual(drawn.Light.Value, drawn.Dark.Value);
        Assert.Contains(CodeMentorTheme.Theme.PaletteDark.Primary.ToString(), drawn.Dark.Value); // our theme, not the default
    }

    [Fact]
    public void A_message_is_not_drawn_again_when_nothing_it_shows_has_changed()
    {
        ConversationMessage Saved() => new()
        {
            Id = 7, Role = MessageRole.Assistant, Status = MessageStatus.Complete, Content = "A loop repeats.", OutputTokens = 4,
            CreatedAtUtc = DateTime.UtcNow,
        };
        var item = _host.Context.Render<ChatMessageItem>(p => p.Add(c => c.Message, Saved()).Add(c => c.IsLast, true));
        var drawn = item.RenderCount;

        item.Render(p => p.Add(c => c.Message, Saved())); // the thread reloaded: a new object, the same message
        Assert.Equal(drawn, item.RenderCount);

        item.Render(p => p.Add(c => c.CanRegenerate, true));
        Assert.Equal(drawn + 1, item.RenderCount);
        Assert.Single(item.FindAll("[data-testid=regenerate]"));

        var failed = Saved();
        failed.Status = MessageStatus.Failed;
        failed.StatusDetail = "The model is unavailable.";
        item.Render(p => p.Add(c => c.Message, failed));
        Assert.Contains("The model is unavailable.", item.Find("[data-testid=message-status]").TextContent);
    }

    [Fact]
    public void The_theme_toggle_cycles_system_light_dark_and_says_so()
    {
        var chosen = new List<ThemePreference>();
        var toggle = _host.Context.Render<ThemeToggle>(p => p
            .Add(c => c.Preference, ThemePreference.System).Add(c => c.IsDark, true)
            .Add(c => c.OnChange, (ThemePreference next) => chosen.Add(next)));

        Assert.Contains("follows the system (now dark)", toggle.Find("[data-testid=theme-toggle]").GetAttribute("aria-label"));
        toggle.Find("[data-testid=theme-toggle]").Click();
        toggle.Render(p => p.Add(c => c.Preference, ThemePreference.Light));
        toggle.Find("[data-testid=theme-toggle]").Click();
        toggle.Render(p => p.Add(c => c.Preference, ThemePreference.Dark));
        toggle.Find("[data-testid=theme-toggle]").Click();

        Assert.Equal([ThemePreference.Light, ThemePreference.Dark, ThemePreference.System], chosen);
        Assert.Equal(ThemePreference.Dark, ThemePreferences.Parse("dark"));
        Assert.Equal(ThemePreference.System, ThemePreferences.Parse("<script>"));
    }

    [Fact]
    public void Code_blocks_carry_their_language_a_copy_button_and_keyboard_scrolling()
    {
        var html = SafeMarkdown.ToHtml("```python\nprint('hi')\n```\n\n    indented code");

        Assert.Contains("<span class=\"code-lang\">python</span>", html);
        Assert.Contains("<span class=\"code-lang\">code</span>", html); // an indented block has no language
        Assert.Equal(2, html.Split("data-copy-code").Length - 1);
        Assert.Contains("<button type=\"button\" class=\"code-copy\"", html);
        Assert.Equal(2, html.Split("<pre tabindex=\"0\">").Length - 1);
    }

    [Fact]
    public void Browser_time_shows_short_local_times_and_groups_by_local_day()
    {
        var tokyo = BrowserTime.From("Asia/Tokyo");
        var now = new DateTime(2026, 11, 26, 16, 0, 0, DateTimeKind.Utc); // 01:00 on the 27th in Tokyo

        Assert.Equal("00:30", tokyo.Short(new DateTime(2026, 11, 26, 15, 30, 0, DateTimeKind.Utc), now));
        Assert.Equal("Today", tokyo.Group(new DateTime(2026, 11, 26, 15, 30, 0, DateTimeKind.Utc), now));
        Assert.Equal("Yesterday", tokyo.Group(new DateTime(2026, 11, 26, 14, 0, 0, DateTimeKind.Utc), now)); // 23:00 on the 26th there
        Assert.Same(BrowserTime.Utc, BrowserTime.From("Not/AZone"));
    }
}
