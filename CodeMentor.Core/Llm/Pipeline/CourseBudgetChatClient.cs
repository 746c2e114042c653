using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using CodeMentor.Core.Courses;
using CodeMentor.Core.Llm.Routing;
using CodeMentor.Core.Tokens;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace CodeMentor.Core.Llm.Pipeline;

/// <summary>
/// Holds tutoring calls to the learner's course budgets: refused before any work when the course, or the
/// learner's share of it, is used up for the period; otherwise the call's tokens (<see cref="CallTokens"/>)
/// count against both when it ends. The course travels outward as a fact, so the ledger row names the course
/// its tokens were spent in (the budgets start from those rows after a restart).
/// </summary>
internal sealed class CourseBudgetChatClient(IChatClient inner, CourseService courses, CourseBudgets budgets, TokenCounter counter)
    : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var course = options.GetRequestContext() is { } request && Features.CourseWork.Contains(request.Feature)
            ? (await courses.StandingAsync(request.UserId, cancellationToken)).Working
            : null;
        if (course is null)
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
            {
                yield return update;
            }
            yield break;
        }

        var userId = options.GetRequestContext()!.UserId;
        var decision = await budgets.CheckAsync(userId, course, cancellationToken);
        if (!decision.Allowed)
        {
            throw new LlmException(LlmFailureCategory.CourseBudgetUsed, decision.Message!, retryAfter: decision.RetryAfter)
                .With(CallFacts.CourseId, course.CourseId);
        }

        using var used = new CallTokens(counter);
        var first = true;
        var stream = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await stream.MoveNextAsync())
                    {
                        break;
                    }
                }
                catch (Exception ex) when (first)
                {
                    ExceptionDispatchInfo.Throw(ex.With(CallFacts.CourseId, course.CourseId));
                }
                var update = stream.Current;
                used.Observe(update);
                yield return first ? update.With(CallFacts.CourseId, course.CourseId) : update;
                first = false;
            }
        }
        finally
        {
            await stream.DisposeAsync();
            await budgets.RecordAsync(userId, course, used.Billed, CancellationToken.None);
        }
    }
}

internal static class CourseBudgetChatClientExtensions
{
    public static ChatClientBuilder UseCourseBudgets(this ChatClientBuilder builder) =>
        builder.Use((inner, services) => new CourseBudgetChatClient(inner, services.GetRequiredService<CourseService>(),
            services.GetRequiredService<CourseBudgets>(), services.GetRequiredService<TokenCounter>()));
}
