using Bunit;
using CodeMentor.Core.Tutoring;
using CodeMentor.Web.Components.Pages.Chat;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor.Services;

namespace CodeMentor.Tests.Components;

/// <summary>The conversation list's search box (plain elements, searching after a pause in typing), on a fake clock.</summary>
public sealed class ConversationSearchTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly BunitContext _ctx = new();
    private readonly FakeTimeProvider _clock = new();
    private readonly List<string> _searched = [];
    private readonly ConversationSummary _loops = new(Guid.NewGuid(), "Loops in Python", DateTime.UtcNow);

    public ConversationSearchTests()
    {
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices();
        _ctx.Services.AddSingleton<TimeProvider>(_clock);
    }

    public void Dispose() => _ctx.Dispose();

    private IRenderedComponent<ConversationList> Render(Func<string, Task<IReadOnlyList<ConversationMatch>>>? search = null) =>
        _ctx.Render<ConversationList>(p => p
            .Add(c => c.Conversations, [_loops])
            .Add(c => c.Search, search ?? (query =>
            {
                _searched.Add(query);
                return Task.FromResult<IReadOnlyList<ConversationMatch>>(query.Contains("python") ? [new ConversationMatch(_loops, "a for loop in python")] : []);
            })));

    [Fact]
    public void Typing_searches_once_the_learner_pauses_and_shows_what_was_found()
    {
        var list = Render();
        var box = list.Find("input[data-testid=conversation-search]");

        box.Input("py");
        _clock.Advance(ConversationList.SearchPause - TimeSpan.FromMilliseconds(50));
        list.Find("input[data-testid=conversation-search]").Input("python");
        _clock.Advance(ConversationList.SearchPause - TimeSpan.FromMilliseconds(50));
        Assert.Empty(_searched); // still typing: neither "py" nor "python" searched yet
        Assert.Single(list.FindAll("[data-testid=conversation-item]"));

        _clock.Advance(TimeSpan.FromMilliseconds(50));
        list.WaitForAssertion(() => Assert.Single(list.FindAll("[data-testid=search-result]")), Wait);
        Assert.Equal(["python"], _searched);
        Assert.Equal("1 conversation found", list.Find("[data-testid=search-status]").TextContent.Trim());
        Assert.Contains("a for loop in python", list.Find("[data-testid=search-result]").TextContent);

        list.Find("input[data-testid=conversation-search]").Input("haskell");
        _clock.Advance(ConversationList.SearchPause);
        list.WaitForAssertion(() => Assert.Equal("No conversation mentions \"haskell\".", list.Find("[data-testid=search-status]").TextContent.Trim()), Wait);
    }

    [Fact]
    public void Clearing_the_box_brings_the_list_back_and_a_search_not_yet_run_never_runs()
    {
        var list = Render();
        Assert.Empty(list.FindAll("[data-testid=clear-search]")); // nothing to clear yet

        list.Find("input[data-testid=conversation-search]").Input("python");
        _clock.Advance(ConversationList.SearchPause);
        list.WaitForAssertion(() => Assert.Single(list.FindAll("[data-testid=search-result]")), Wait);

        list.Find("[data-testid=clear-search]").Click();
        Assert.Empty(list.FindAll("[data-testid=search-result]"));
        Assert.Single(list.FindAll("[data-testid=conversation-item]"));
        Assert.Equal("", list.Find("input[data-testid=conversation-search]").GetAttribute("value") ?? "");
        Assert.Empty(list.FindAll("[data-testid=clear-search]"));

        list.Find("input[data-testid=conversation-search]").Input("python again");
        list.Find("[data-testid=clear-search]").Click(); // cleared before the pause was over
        _clock.Advance(ConversationList.SearchPause * 2);
        Assert.Equal(["python"], _searched);
        Assert.Single(list.FindAll("[data-testid=conversation-item]"));
    }

    [Fact]
    public void An_older_search_that_finishes_late_does_not_replace_a_newer_ones_results()
    {
        var pending = new Dictionary<string, TaskCompletionSource<IReadOnlyList<ConversationMatch>>>();
        var list = Render(query => (pending[query] = new()).Task);

        list.Find("input[data-testid=conversation-search]").Input("loop");
        _clock.Advance(ConversationList.SearchPause);
        list.WaitForAssertion(() => Assert.True(pending.ContainsKey("loop")), Wait);
        list.Find("input[data-testid=conversation-search]").Input("loops in python");
        _clock.Advance(ConversationList.SearchPause);
        list.WaitForAssertion(() => Assert.True(pending.ContainsKey("loops in python")), Wait);

        list.InvokeAsync(() => pending["loops in python"].SetResult([new ConversationMatch(_loops, "newer")]));
        list.WaitForAssertion(() => Assert.Contains("newer", list.Find("[data-testid=search-result]").TextContent), Wait);
        list.InvokeAsync(() => pending["loop"].SetResult([]));
        list.WaitForAssertion(() => Assert.Contains("newer", list.Find("[data-testid=search-result]").TextContent), Wait);
        Assert.Equal("1 conversation found", list.Find("[data-testid=search-status]").TextContent.Trim());
    }
}
