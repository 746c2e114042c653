using CodeMentor.Core.Llm.Providers;

namespace CodeMentor.Core.Llm.Resilience;

/// <summary>Tells the other nodes what a provider reported about the organisation's remaining rate
/// limit, so that every node keeps the headroom, not only the one that made the call. Registered
/// only with several nodes (Redis); one node alone has nobody to tell.</summary>
public interface IProviderLimitsShare
{
    void Announce(string provider, ProviderRateLimits limits);
}
