using CodeMentor.Core.Llm.Providers;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace CodeMentor.Tests.Unit;

/// <summary>The provider's idle timeout: cancelled after a silence as long as the timeout, counted from the last time the
/// provider was heard from, never while paused, and never early however the hearing and the timer interleave.</summary>
public sealed class IdleDeadlineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_silence_as_long_as_the_timeout_cancels_and_a_shorter_one_does_not()
    {
        var time = new FakeTimeProvider();
        using var deadline = new IdleDeadline(time, Timeout);
        ExpiresAfterExactlyTheTimeout(time, deadline);
    }

    [Fact]
    public void The_silence_counts_from_the_last_time_the_provider_was_heard()
    {
        var time = new FakeTimeProvider();
        using var deadline = new IdleDeadline(time, Timeout);
        // Heard every 20 s for ten minutes: the timer comes due 30 s after it was set each time, finds 10 s of silence
        // and waits out the other 20.
        for (var i = 0; i < 30; i++)
        {
            time.Advance(TimeSpan.FromSeconds(20));
            Assert.False(deadline.Token.IsCancellationRequested, $"cancelled after {i + 1} × 20 s although heard each time");
            deadline.Heard();
        }
        ExpiresAfterExactlyTheTimeout(time, deadline);
    }

    [Fact]
    public void A_paused_deadline_does_not_count_the_time_and_counts_again_from_the_next_hearing()
    {
        var time = new FakeTimeProvider();
        using var deadline = new IdleDeadline(time, Timeout);
        time.Advance(TimeSpan.FromSeconds(25));
        deadline.Pause(); // the caller holds an update for three minutes
        time.Advance(TimeSpan.FromMinutes(3));
        Assert.False(deadline.Token.IsCancellationRequested);
        deadline.Heard(); // waiting for the provider again
        ExpiresAfterExactlyTheTimeout(time, deadline);
    }

    [Fact]
    public void Any_schedule_of_hearings_and_pauses_cancels_exactly_when_a_timeout_of_unpaused_silence_has_passed()
    {
        // Steps of 1-40 s, each followed by a hearing, a pause or nothing; the model is "silent since", or null while paused.
        Gen.Select(Gen.Int[1, 40_000], Gen.Int[0, 2]).Array[1, 40].Sample(steps =>
        {
            var time = new FakeTimeProvider();
            using var deadline = new IdleDeadline(time, Timeout);
            TimeSpan? silentSince = TimeSpan.Zero;
            var now = TimeSpan.Zero;
            foreach (var (milliseconds, action) in steps)
            {
                var step = TimeSpan.FromMilliseconds(milliseconds);
                var expired = silentSince is { } since && now + step - since >= Timeout;
                time.Advance(step);
                now += step;
                Assert.Equal(expired, deadline.Token.IsCancellationRequested);
                if (expired)
                {
                    return;
                }
                if (action == 1)
                {
                    deadline.Heard();
                    silentSince = now;
                }
                else if (action == 2)
                {
                    deadline.Pause();
                    silentSince = null;
                }
            }
        });
    }

    /// <summary>Not a millisecond before the timeout has passed from now, and at once when it has.</summary>
    private static void ExpiresAfterExactlyTheTimeout(FakeTimeProvider time, IdleDeadline deadline)
    {
        time.Advance(Timeout - TimeSpan.FromMilliseconds(1));
        Assert.False(deadline.Token.IsCancellationRequested);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(deadline.Token.IsCancellationRequested);
    }

    [Fact]
    public void Disposing_stops_the_timer_and_a_later_due_time_does_nothing()
    {
        var time = new FakeTimeProvider();
        var deadline = new IdleDeadline(time, Timeout);
        var token = deadline.Token;
        deadline.Dispose();
        deadline.Dispose();
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.False(token.IsCancellationRequested);
    }
}
