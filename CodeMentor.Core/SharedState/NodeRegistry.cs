using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace CodeMentor.Core.SharedState;

/// <summary>This process among CodeMentor's nodes: the name written on the replies and model calls
/// it runs, so that another node can tell whose they are.</summary>
public sealed class NodeIdentity
{
    public string Id { get; } = Name($"{Guid.NewGuid().ToString("N")[..12]}@{Environment.MachineName}:{Environment.ProcessId}");

    private static string Name(string id) => id.Length <= 64 ? id : id[..64];
}

/// <summary>
/// Which nodes are alive, from heartbeats in Redis: each node keeps a key that expires a few seconds
/// after its last beat, so a node that dies (killed, its machine gone) drops out within
/// <see cref="Lifetime"/> and a surviving node can take over what it left half done.
/// Only registered with Redis; one node alone needs no registry (it cleans up at its own start).
/// </summary>
public sealed partial class RedisNodeRegistry(IConnectionMultiplexer redis, NodeIdentity self, TimeProvider time, ILogger<RedisNodeRegistry> logger)
    : BackgroundService
{
    public static readonly TimeSpan Beat = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(6);

    private static RedisKey Key(string node) => "codementor:node:" + node;

    /// <exception cref="RedisException">Redis does not answer: nobody can be declared dead.</exception>
    public async Task<bool> IsAliveAsync(string node) => node == self.Id || await redis.GetDatabase().KeyExistsAsync(Key(node));

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await BeatAsync(); // alive before the first reply this node runs
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Beat, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await BeatAsync();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await redis.GetDatabase().KeyDeleteAsync(Key(self.Id)); // a clean stop has finished its own replies
        }
        catch (RedisException)
        {
            // The key expires on its own.
        }
    }

    private async Task BeatAsync()
    {
        try
        {
            await redis.GetDatabase().StringSetAsync(Key(self.Id), time.GetUtcNow().ToString("O"), Lifetime);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogBeatFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "This node's heartbeat could not reach Redis")]
    private static partial void LogBeatFailed(ILogger logger, Exception ex);
}
