using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Identity;

namespace CodeMentor.Web;

/// <summary>
/// Throttles password sign-in (the login page and POST /api/auth/token) on
/// System.Threading.RateLimiting, instead of locking accounts: a lockout after a few wrong
/// passwords lets anyone lock a learner out. Three limits apply: per client address, per client
/// address and account (guessing one account from one place), and per account from anywhere (a
/// generous backstop against guessing from many addresses). Unknown and known accounts are
/// treated alike, so the answer never tells which emails exist.
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    public const string WrongCredentials = "The email or password is not right.";

    private readonly PartitionedRateLimiter<string> _perClient = Sliding(permits: 30, TimeSpan.FromMinutes(1));
    private readonly PartitionedRateLimiter<string> _perClientAndAccount = Sliding(permits: 5, TimeSpan.FromMinutes(1));
    private readonly PartitionedRateLimiter<string> _perAccount = Sliding(permits: 100, TimeSpan.FromHours(1));

    private static PartitionedRateLimiter<string> Sliding(int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = window,
            SegmentsPerWindow = 6,
            QueueLimit = 0,
        }));

    /// <returns>Null when the attempt may go ahead; otherwise how long to wait.</returns>
    public TimeSpan? TryAttempt(IPAddress? client, string? email)
    {
        var address = client?.ToString() ?? "unknown";
        var account = (email ?? "").Trim().ToUpperInvariant();
        foreach (var (limiter, key) in new[] { (_perClient, address), (_perClientAndAccount, address + "|" + account), (_perAccount, account) })
        {
            using var lease = limiter.AttemptAcquire(key);
            if (!lease.IsAcquired)
            {
                return lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
            }
        }
        return null;
    }

    public static string TooMany(TimeSpan wait, string what = "sign-in attempts") =>
        $"Too many {what}. Try again in {Math.Max(1, Math.Ceiling(wait.TotalSeconds)):0} seconds.";

    /// <summary>Signs in with a password if the throttle allows; the same message for every failure.</summary>
    public async Task<(bool Succeeded, string? Error, TimeSpan? RetryAfter)> PasswordSignInAsync<TUser>(
        SignInManager<TUser> signIn, HttpContext context, string? email, string? password, bool persistent) where TUser : class
    {
        if (TryAttempt(context.Connection.RemoteIpAddress, email) is { } wait)
        {
            return (false, TooMany(wait), wait);
        }
        var result = await signIn.PasswordSignInAsync(email ?? "", password ?? "", persistent, lockoutOnFailure: false);
        return result.Succeeded ? (true, null, null) : (false, WrongCredentials, null);
    }

    public void Dispose()
    {
        _perClient.Dispose();
        _perClientAndAccount.Dispose();
        _perAccount.Dispose();
    }
}
