using System.Runtime.CompilerServices;

namespace CodeMentor.Tests.Support;

/// <summary>Test classes run in parallel and many of them wait by blocking a pool thread (bunit's
/// <c>WaitForAssertion</c>, SignalR's Redis backplane unsubscribing synchronously when a node stops).
/// With the pool's default minimum (the core count, 2 here) those waits starve it, and a Redis reply
/// that needs a pool thread to be read times out (seen in CI: UNSUBSCRIBE timing out after 5 s with
/// 127 queued work items). A larger minimum lets the pool grow without its one-thread-per-second
/// throttle; it changes nothing the tests assert.</summary>
internal static class ThreadPoolForBlockingTests
{
    [ModuleInitializer]
    internal static void RaiseMinimum()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(io, 64));
    }
}
