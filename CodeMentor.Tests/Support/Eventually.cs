using Microsoft.Extensions.Time.Testing;

namespace CodeMentor.Tests.Support;

internal static class Eventually
{
    /// <summary>Waits (polling) until the condition holds; fails after a generous limit. Used to
    /// wait for something another thread does, never to assert how long it took.</summary>
    public static async Task TrueAsync(Func<bool> condition, string what)
    {
        for (var i = 0; i < 1000; i++)
        {
            if (condition())
            {
                return;
            }
            await Task.Delay(10);
        }
        Assert.Fail($"Timed out waiting for {what}.");
    }

    /// <summary>Waits (polling) until an asynchronous condition holds, up to <paramref name="limit"/>
    /// (a process starting up, a port opening).</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan limit, string what = "the condition")
    {
        var until = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < until)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"Timed out waiting for {what}.");
    }

    /// <summary>Moves the fake clock forward in small steps until the task completes, so retry
    /// delays and backoff elapse without real waiting.</summary>
    public static async Task<T> WithClockAsync<T>(this Task<T> task, FakeTimeProvider clock, TimeSpan? step = null)
    {
        for (var i = 0; i < 5000 && !task.IsCompleted; i++)
        {
            clock.Advance(step ?? TimeSpan.FromMilliseconds(50));
            await Task.WhenAny(task, Task.Delay(5));
        }
        return await task;
    }

    /// <summary>Advances the fake clock in steps up to <paramref name="limit"/> past now and no further,
    /// then waits (in real time) for the task: it must complete without the clock going past the limit.
    /// Unlike <see cref="WithClockAsync{T}"/>, real time spent after the deadline (JIT, a busy machine)
    /// cannot turn into fake seconds.</summary>
    public static async Task<T> WithClockUntilAsync<T>(this Task<T> task, FakeTimeProvider clock, TimeSpan limit, TimeSpan step)
    {
        var end = clock.GetUtcNow() + limit;
        while (!task.IsCompleted && clock.GetUtcNow() + step <= end)
        {
            clock.Advance(step);
            await Task.WhenAny(task, Task.Delay(5));
        }
        if (await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(30))) != task)
        {
            throw new TimeoutException($"Not finished {limit.TotalSeconds:0.0} s of fake time later (30 s of real time waited after that).");
        }
        return await task;
    }
}
