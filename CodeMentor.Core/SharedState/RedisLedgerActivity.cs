using CodeMentor.Core.Usage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace CodeMentor.Core.SharedState;

/// <summary>Several nodes: each node's ledger batches are announced on a Redis channel, so an admin
/// dashboard open on any node updates live from calls made on every node.</summary>
internal sealed partial class RedisLedgerActivity : ILedgerActivity, IHostedService, IDisposable
{
    private static readonly RedisChannel Channel = RedisChannel.Literal("codementor:ledger-written");

    private readonly LedgerWriter _ledger;
    private readonly IConnectionMultiplexer _redis;
    private readonly NodeIdentity _self;
    private readonly ILogger<RedisLedgerActivity> _logger;

    public RedisLedgerActivity(LedgerWriter ledger, IConnectionMultiplexer redis, NodeIdentity self, ILogger<RedisLedgerActivity> logger)
    {
        _ledger = ledger;
        _redis = redis;
        _self = self;
        _logger = logger;
        _ledger.Written += OnWritten;
        _redis.GetSubscriber().Subscribe(Channel, OnAnnounced);
    }

    public event Action? Changed;

    private void OnWritten(IReadOnlyList<LedgerEntry> batch)
    {
        Changed?.Invoke();
        try
        {
            _redis.GetSubscriber().Publish(Channel, _self.Id, CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogNotAnnounced(_logger, ex); // the other nodes' dashboards catch up on their next refresh
        }
    }

    private void OnAnnounced(RedisChannel channel, RedisValue node)
    {
        if (node != _self.Id)
        {
            Changed?.Invoke();
        }
    }

    // Started with the node so that its own batches are announced even when no dashboard is open on it.
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _ledger.Written -= OnWritten;
        _redis.GetSubscriber().Unsubscribe(Channel, OnAnnounced);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell the other nodes about new ledger rows")]
    private static partial void LogNotAnnounced(ILogger logger, Exception ex);
}
