using CodeMentor.Core.RateLimiting;
using CodeMentor.Core.Usage;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace CodeMentor.Core.SharedState;

/// <summary>Whether this node shares its state with others through Redis.</summary>
public sealed record SharedStateMode(bool Distributed)
{
    /// <summary>How long this node may keep a cached entry in its own memory: with several nodes, an
    /// entry changed on one (a learner's profile) must not stay stale on another for long, as
    /// HybridCache does not tell other nodes' memory about a removal.</summary>
    public TimeSpan LocalCacheFor(TimeSpan wanted) => Distributed && wanted > TimeSpan.FromSeconds(5) ? TimeSpan.FromSeconds(5) : wanted;
}

public static class SharedStateServiceCollectionExtensions
{
    /// <summary>The seams several nodes share, chosen once: Redis when REDIS_URL is set (one
    /// connection for the cache's second level, the quotas, and — in Web — data-protection keys and
    /// SignalR's backplane), else this process's memory.</summary>
    public static IServiceCollection AddCodeMentorSharedState(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<NodeIdentity>();
        if (RedisSettings.From(configuration) is not { } redis)
        {
            services.AddSingleton(new SharedStateMode(Distributed: false));
            services.AddSingleton<IQuotaCounters, InProcessQuotaCounters>();
            services.AddSingleton<ILedgerActivity, InProcessLedgerActivity>();
            services.AddSingleton<Tutoring.IRunFanOut, Tutoring.InProcessRunFanOut>();
            return services;
        }
        services.AddSingleton(new SharedStateMode(Distributed: true));
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redis));
        services.AddSingleton<IQuotaCounters, RedisQuotaCounters>();
        services.AddSingleton<RedisLedgerActivity>();
        services.AddSingleton<ILedgerActivity>(sp => sp.GetRequiredService<RedisLedgerActivity>());
        services.AddHostedService(sp => sp.GetRequiredService<RedisLedgerActivity>());
        services.AddSingleton<RedisRunFanOut>();
        services.AddSingleton<Tutoring.IRunFanOut>(sp => sp.GetRequiredService<RedisRunFanOut>());
        services.AddHostedService(sp => sp.GetRequiredService<RedisRunFanOut>());
        services.AddSingleton<RedisProviderLimitsShare>();
        services.AddSingleton<Llm.Resilience.IProviderLimitsShare>(sp => sp.GetRequiredService<RedisProviderLimitsShare>());
        services.AddHostedService(sp => sp.GetRequiredService<RedisProviderLimitsShare>());
        services.AddSingleton<RedisNodeRegistry>();
        services.AddHostedService(sp => sp.GetRequiredService<RedisNodeRegistry>());
        services.AddHostedService<Tutoring.DeadNodeSweeper>();
        // HybridCache uses a registered IDistributedCache as its second level: a reply cached by one node is a hit on all.
        services.AddStackExchangeRedisCache(_ => { });
        services.AddOptions<RedisCacheOptions>().Configure<IServiceProvider>((options, provider) =>
        {
            options.InstanceName = "codementor:cache:";
            options.ConnectionMultiplexerFactory = () => Task.FromResult(provider.GetRequiredService<IConnectionMultiplexer>());
        });
        return services;
    }
}
