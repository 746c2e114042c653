using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using CodeMentor.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CodeMentor.Core.Accounts;

/// <summary>Who a valid API key speaks for.</summary>
public sealed record ApiKeyOwner(string UserId, IReadOnlyList<string> Roles);

public sealed record ApiKeySummary(Guid Id, string Name, string Prefix, DateTime CreatedAtUtc, DateTime? LastUsedAtUtc);

/// <summary>A new key: <see cref="Secret"/> is the whole key, shown to the learner this once.</summary>
public sealed record ApiKeyCreated(ApiKeySummary? Key, string? Secret, string? Error);

/// <summary>
/// The learner's API keys for the OpenAI-compatible endpoint: made and revoked on the profile page,
/// stored as SHA-256 hashes, every query scoped to the signed-in user.
/// </summary>
public sealed class ApiKeyService(IDbContextFactory<AppDbContext> db, DatabaseWriter writer, TimeProvider time)
{
    public const string KeyPrefix = "cm_";
    public const int MaxNameLength = 60;
    public const int MaxActiveKeys = 10;

    /// <summary>"Last used" is written at most this often per key, not on every call.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<Guid, DateTime> _lastUsedWritten = new();

    public async Task<ApiKeyCreated> CreateAsync(string userId, string? name, CancellationToken ct = default)
    {
        var label = (name ?? "").Trim();
        if (label.Length == 0)
        {
            return new ApiKeyCreated(null, null, "Give the key a name, e.g. the editor or computer that will use it.");
        }
        if (label.Length > MaxNameLength)
        {
            return new ApiKeyCreated(null, null, $"A key's name can be at most {MaxNameLength} characters (this one has {label.Length}).");
        }
        await using (var context = await db.CreateDbContextAsync(ct))
        {
            if (await context.ApiKeys.CountAsync(k => k.UserId == userId && k.RevokedAtUtc == null, ct) >= MaxActiveKeys)
            {
                return new ApiKeyCreated(null, null, $"You already have {MaxActiveKeys} keys. Revoke one you no longer use first.");
            }
        }
        var secret = KeyPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var key = new ApiKey
        {
            Id = Guid.NewGuid(), UserId = userId, Name = label, Prefix = secret[..9], Hash = HashOf(secret),
            CreatedAtUtc = time.GetUtcNow().UtcDateTime,
        };
        await writer.WriteAsync((context, _) =>
        {
            context.ApiKeys.Add(key);
            return Task.CompletedTask;
        });
        return new ApiKeyCreated(Summary(key), secret, null);
    }

    /// <summary>The user's keys that still work, newest first.</summary>
    public async Task<IReadOnlyList<ApiKeySummary>> ListAsync(string userId, CancellationToken ct = default)
    {
        await using var context = await db.CreateDbContextAsync(ct);
        var keys = await context.ApiKeys.AsNoTracking().Where(k => k.UserId == userId && k.RevokedAtUtc == null).ToListAsync(ct);
        return keys.OrderByDescending(k => k.CreatedAtUtc).Select(Summary).ToList();
    }

    /// <returns>False when the key is not the user's or was already revoked.</returns>
    public async Task<bool> RevokeAsync(string userId, Guid keyId, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return await writer.WriteAsync(async (context, token) => await context.ApiKeys
            .Where(k => k.Id == keyId && k.UserId == userId && k.RevokedAtUtc == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAtUtc, now), token) == 1);
    }

    /// <summary>The user a presented key belongs to, with their roles, or null when the key is unknown
    /// or revoked. One read per request (a user's keys go when the user does: no separate user lookup).</summary>
    public async Task<ApiKeyOwner?> AuthenticateAsync(string presented, CancellationToken ct = default)
    {
        if (!presented.StartsWith(KeyPrefix, StringComparison.Ordinal) || presented.Length > 100)
        {
            return null;
        }
        var hash = HashOf(presented);
        await using var context = await db.CreateDbContextAsync(ct);
        var key = await context.ApiKeys.AsNoTracking()
            .Where(k => k.Hash == hash && k.RevokedAtUtc == null)
            .Select(k => new
            {
                k.Id, k.UserId,
                Roles = context.UserRoles.Where(ur => ur.UserId == k.UserId)
                    .Join(context.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name!).ToList(),
            })
            .SingleOrDefaultAsync(ct);
        if (key is null)
        {
            return null;
        }
        MarkUsed(key.Id);
        return new ApiKeyOwner(key.UserId, key.Roles);
    }

    private void MarkUsed(Guid keyId)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (_lastUsedWritten.TryGetValue(keyId, out var written) && now - written < LastUsedResolution)
        {
            return;
        }
        _lastUsedWritten[keyId] = now;
        // Queued, not awaited: a call does not wait for its "last used" stamp.
        _ = writer.WriteAsync(async (context, token) =>
            await context.ApiKeys.Where(k => k.Id == keyId).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAtUtc, now), token));
    }

    private static ApiKeySummary Summary(ApiKey key) => new(key.Id, key.Name, key.Prefix, key.CreatedAtUtc, key.LastUsedAtUtc);

    private static byte[] HashOf(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
