using Bunit;
using CodeMentor.Core.Tutoring;
using CodeMentor.Tests.Support;
using CodeMentor.Web.Components.Pages.Concepts;
using CodeMentor.Web.Components.Pages.Profile;

namespace CodeMentor.Tests.Components;

/// <summary>The onboarding interview, the profile page and the concept page with bunit.</summary>
public sealed class ProfilePageTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private BunitHost _host = default!;

    public async Task InitializeAsync() => _host = await BunitHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_interview_ends_in_a_saved_profile()
    {
        var page = _host.Context.Render<OnboardingInterview>();
        page.WaitForAssertion(() => Assert.Contains(OnboardingService.Opening, page.Find("[data-testid=message-text]").TextContent), Wait);

        page.Find("[data-testid=chat-input]").Input("Python and C#, intermediate, I want to build games");
        page.Find("button[data-testid=send]").Click();
        _host.Model.Send("Great, thanks!\n\n```profile\n{\"languages\": \"Python, C#\", \"level\": \"intermediate\", \"goals\": \"build games\", \"interests\": \"games\", \"preferredStyle\": \"short\"}\n```");
        _host.Model.Finish();

        page.WaitForAssertion(() => Assert.Contains("intermediate, Python, C#", page.Find("[data-testid=onboarding-done]").TextContent), Wait);
        var profile = await _host.Get<LearnerProfiles>().GetAsync(_host.UserId);
        Assert.True(profile.OnboardingCompleted);
        Assert.Equal("build games", profile.Goals);
    }

    [Fact]
    public async Task The_profile_page_saves_what_the_learner_edits()
    {
        var page = _host.Context.Render<Profile>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=start-onboarding]")), Wait);

        page.Find("textarea[data-testid=profile-goals], [data-testid=profile-goals] textarea").Change("pass my exams");
        page.Find("button[data-testid=profile-save]").Click();

        var profiles = _host.Get<LearnerProfiles>();
        for (var i = 0; i < 500 && (await profiles.GetAsync(_host.UserId)).Goals != "pass my exams"; i++)
        {
            await Task.Delay(20); // the click's handler saves asynchronously
        }
        Assert.Equal("pass my exams", (await profiles.GetAsync(_host.UserId)).Goals);
        Assert.Empty(page.FindAll("[data-testid=profile-error]"));
    }

    [Fact]
    public void An_empty_concept_is_refused_before_any_model_call()
    {
        var page = _host.Context.Render<ConceptExplainer>();

        page.Find("button[data-testid=concept-explain]").Click();

        page.WaitForAssertion(() => Assert.Contains("Concept is required.", page.Find("[data-testid=concept-error]").TextContent), Wait);
        Assert.Empty(_host.Model.Calls);
    }
}

/// <summary>The API keys panel of the profile page with bunit, on the real key service and SQLite.</summary>
public sealed class ApiKeysPanelTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private BunitHost _host = default!;

    public async Task InitializeAsync() => _host = await BunitHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_key_is_shown_once_works_for_the_api_and_stops_working_when_revoked()
    {
        var keys = _host.Get<CodeMentor.Core.Accounts.ApiKeyService>();
        var panel = _host.Context.Render<ApiKeysPanel>(p => p.Add(c => c.UserId, _host.UserId));
        panel.WaitForAssertion(() => Assert.NotNull(panel.Find("[data-testid=api-keys-none]")), Wait);
        Assert.EndsWith("/v1", panel.Find("[data-testid=api-base-url]").TextContent);

        panel.Find("button[data-testid=api-key-create]").Click();
        panel.WaitForAssertion(() => Assert.Contains("Give the key a name", panel.Find("[data-testid=api-key-error]").TextContent), Wait);

        panel.Find("input[data-testid=api-key-name], [data-testid=api-key-name] input").Change("VS Code at home");
        panel.Find("button[data-testid=api-key-create]").Click();
        panel.WaitForAssertion(() => Assert.Single(panel.FindAll("[data-testid=api-key-row]")), Wait);
        var secret = panel.Find("[data-testid=api-key-secret]").TextContent;
        Assert.StartsWith("cm_", secret);
        Assert.Contains("VS Code at home", panel.Find("[data-testid=api-key-row]").TextContent);
        Assert.Contains(secret[..9], panel.Find("[data-testid=api-key-row]").TextContent);
        Assert.DoesNotContain(secret, panel.Find("[data-testid=api-key-row]").TextContent);
        Assert.Equal(_host.UserId, (await keys.AuthenticateAsync(secret))?.UserId);

        // Shown once: the page opened again lists the key without its secret.
        var again = _host.Context.Render<ApiKeysPanel>(p => p.Add(c => c.UserId, _host.UserId));
        again.WaitForAssertion(() => Assert.Single(again.FindAll("[data-testid=api-key-row]")), Wait);
        Assert.Empty(again.FindAll("[data-testid=api-key-secret]"));
        Assert.DoesNotContain(secret, again.Markup);

        again.Find("button[data-testid=api-key-revoke]").Click();
        again.WaitForAssertion(() => Assert.NotNull(again.Find("[data-testid=api-keys-none]")), Wait);
        Assert.Null(await keys.AuthenticateAsync(secret));
    }
}
