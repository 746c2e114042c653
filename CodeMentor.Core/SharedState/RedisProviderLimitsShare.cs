using System.Text.Json;
using CodeMentor.Core.Llm.Providers;
using CodeMentor.Core.Llm.Resilience;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace CodeMentor.Core.SharedState;

/// <summary>Provider rate-limit observations on a Redis channel: each node announces what its calls
/// were told and applies what the others announce to its own <see cref="ProviderThrottle"/>s.</summary>
internal sealed partial class RedisProviderLimitsShare(IConnectionMultiplexer redis, NodeIdentity self, IServiceProvider services,
    ILogger<RedisProviderLimitsShare> logger) : IProviderLimitsShare, IHostedService
{
    private static readonly RedisChannel Channel = RedisChannel.Literal("codementor:provider-limits");

    private sealed record Observation(string Node, string Provider, ProviderRateLimits Limits);

    public void Announce(string provider, ProviderRateLimits limits)
    {
        try
        {
            redis.GetSubscriber().Publish(Channel, JsonSerializer.Serialize(new Observation(self.Id, provider, limits)), CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogNotAnnounced(logger, ex); // the other nodes learn the limits from their own next call
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken) =>
        await redis.GetSubscriber().SubscribeAsync(Channel, (_, message) =>
        {
            Observation? seen;
            try
            {
                seen = JsonSerializer.Deserialize<Observation>((string)message!);
            }
            catch (JsonException)
            {
                return; // not ours
            }
            if (seen is not null && seen.Node != self.Id)
            {
                services.GetRequiredService<ProviderRegistry>().Get(seen.Provider).Throttle.ObserveElsewhere(seen.Limits);
            }
        });

    public Task StopAsync(CancellationToken cancellationToken) => redis.GetSubscriber().UnsubscribeAsync(Channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell the other nodes a provider's rate limits")]
    private static partial void LogNotAnnounced(ILogger logger, Exception ex);
}
