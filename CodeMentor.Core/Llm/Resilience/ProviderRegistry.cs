using System.Collections.Concurrent;
using CodeMentor.Core.Llm.Providers;
using Microsoft.Extensions.Options;

namespace CodeMentor.Core.Llm.Resilience;

/// <summary>One <see cref="ResilientProvider"/> per provider name for the life of the app, so each
/// provider's circuit breaker and rate-limit memory are shared by every call.</summary>
public sealed class ProviderRegistry(LlmProviderFactory factory, IOptions<LlmOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ResilientProvider> _providers = new(StringComparer.OrdinalIgnoreCase);

    public ResilientProvider Get(string name) =>
        _providers.GetOrAdd(name, n => new ResilientProvider(n.ToLowerInvariant(), factory.Create(n),
            options.Value.MaxRetries, options.Value.Resilience, time));
}
