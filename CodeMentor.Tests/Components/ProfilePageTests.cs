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
