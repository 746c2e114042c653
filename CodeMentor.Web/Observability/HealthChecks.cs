using CodeMentor.Core.Data;
using CodeMentor.Core.Llm;
using CodeMentor.Core.Llm.Resilience;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Polly.CircuitBreaker;

namespace CodeMentor.Web.Observability;

/// <summary>Ready when the database answers: without it no page, message or ledger row works.</summary>
internal sealed class DatabaseHealthCheck(IDbContextFactory<AppDbContext> db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var data = await db.CreateDbContextAsync(cancellationToken);
            return await data.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy("The database answers.")
                : HealthCheckResult.Unhealthy("The database does not answer.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The exception's text can hold a connection string or a path: kept for the logs, not the probe.
            return HealthCheckResult.Unhealthy("The database does not answer: " + ex.GetType().Name, ex);
        }
    }
}

/// <summary>Ready when Redis answers (only when REDIS_URL is set): without it this node cannot count
/// quotas with the others, and it says so rather than counting alone.</summary>
internal sealed class RedisHealthCheck(StackExchange.Redis.IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(3), cancellationToken);
            return HealthCheckResult.Healthy("Redis answers.", new Dictionary<string, object> { ["pingMs"] = Math.Round(latency.TotalMilliseconds, 1) });
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("Redis does not answer: " + ex.GetType().Name, ex);
        }
    }
}

/// <summary>
/// The provider chain as CodeMentor last saw it, from the breakers' state and the last answers:
/// no model call per probe. A broken chain makes the node degraded, not unready: pages, history
/// and the ledger still work, and every node shares the same provider, so taking nodes out of a
/// load balancer would not help.
/// </summary>
internal sealed class LlmProviderHealthCheck(LlmStatus status, ProviderRegistry providers) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["mode"] = status.Mode.ToString().ToLowerInvariant(),
            ["model"] = status.Model,
        };
        if (status.Mode == LlmMode.Disabled)
        {
            return Task.FromResult(HealthCheckResult.Degraded("AI replies are turned off (LLM_ENABLED=false).", data: data));
        }
        if (status.Mode == LlmMode.Simulator)
        {
            return Task.FromResult(HealthCheckResult.Degraded(
                "The offline simulator answers: no provider key is set (GROQ_API_KEY), so replies are not written by a model.", data: data));
        }
        var problems = new List<string>();
        foreach (var provider in status.DefaultChain.Select(providers.Get))
        {
            var state = provider.KeyRejected is not null ? "key-rejected"
                : provider.Circuit is CircuitState.Open or CircuitState.Isolated ? "circuit-open"
                : provider.Circuit == CircuitState.HalfOpen ? "circuit-half-open"
                : "ok";
            data["provider." + provider.Name] = state;
            if (state == "key-rejected")
            {
                problems.Add($"{provider.Name} refused the API key ({provider.KeyRejected!.CategoryLabel}); an administrator must set a valid one");
            }
            else if (state != "ok")
            {
                problems.Add($"{provider.Name} failed several requests in a row, so calls to it are paused ({state})");
            }
        }
        var usable = status.DefaultChain.Count - problems.Count;
        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy($"Live provider chain: {string.Join(" → ", status.DefaultChain)} ({status.Model}).", data)
            : HealthCheckResult.Degraded(string.Join("; ", problems) + (usable > 0 ? "." : ". No provider can answer now."), data: data));
    }
}
