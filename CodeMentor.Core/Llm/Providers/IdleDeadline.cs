namespace CodeMentor.Core.Llm.Providers;

/// <summary>
/// Cancels <see cref="Token"/> once the provider has been silent for the timeout: waiting for the response, then between
/// chunks. Hearing from it only stamps the time (no lock); the one timer, when it comes due, compares the stamp with
/// the clock and either cancels or waits out the rest. Re-arming a timer at every read and chunk instead took the
/// runtime's timer-queue lock each time: at 100 streams through the hub, contention for it was about a tenth of all
/// thread time (docs/benchmarks.md). While paused (the caller holds an update) the silence does not count.
/// </summary>
internal sealed class IdleDeadline : IDisposable
{
    private const long Paused = long.MaxValue;

    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly CancellationTokenSource _expired = new();
    private readonly ITimer _timer;
    private long _heardAt;
    private int _disposed;

    public IdleDeadline(TimeProvider time, TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _time = time;
        _timeout = timeout;
        _heardAt = time.GetTimestamp();
        _timer = time.CreateTimer(static state => ((IdleDeadline)state!).OnDue(), this, timeout, Timeout.InfiniteTimeSpan);
    }

    public CancellationToken Token => _expired.Token;

    /// <summary>The provider was heard from now (or the wait for it starts now): the silence counts from here.</summary>
    public void Heard() => Volatile.Write(ref _heardAt, _time.GetTimestamp());

    /// <summary>Not waiting for the provider until the next <see cref="Heard"/>.</summary>
    public void Pause() => Volatile.Write(ref _heardAt, Paused);

    private void OnDue()
    {
        var heardAt = Volatile.Read(ref _heardAt);
        var silent = heardAt == Paused ? TimeSpan.Zero : _time.GetElapsedTime(heardAt);
        if (Volatile.Read(ref _disposed) == 1)
        {
            return;
        }
        if (silent >= _timeout)
        {
            try
            {
                _expired.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Disposed between the check and here: the call is over, nobody waits on the token.
            }
            return;
        }
        try
        {
            _timer.Change(_timeout - silent, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Disposed meanwhile: the call is over.
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        _timer.Dispose();
        _expired.Dispose();
    }
}
