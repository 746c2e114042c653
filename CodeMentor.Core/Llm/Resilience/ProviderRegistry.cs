using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CodeMentor.Core.Llm.Resilience;

/// <summary>One <see cref="ResilientProvider"/> per provider name for the life of the app, so each
/// provider's circuit breaker and rate-limit memory are shared by every call. The provider clients
/// themselves are keyed services (groq, openai, simulator, none).</summary>
public sealed class ProviderRegistry(IServiceProvider services, IOptions<LlmOptions> options, TimeProvider time, IProviderLimitsShare? share = null)
{
    private readonly ConcurrentDictionary<string, ResilientProvider> _providers = new(StringComparer.OrdinalIgnoreCase);

    public ResilientProvider Get(string name) =>
        _providers.GetOrAdd(name, n => new ResilientProvider(n.ToLowerInvariant(), services.GetRequiredKeyedService<IChatClient>(n.ToLowerInvariant()),
            options.Value.MaxRetries, options.Value.Resilience, time, options.Value.TimeoutSeconds, share));
}
