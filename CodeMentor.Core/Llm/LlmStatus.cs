using CodeMentor.Core.Llm.Providers;
using Microsoft.Extensions.Options;

namespace CodeMentor.Core.Llm;

public enum LlmMode
{
    Live,
    Simulator,
    Disabled,
}

/// <summary>What the portal is connected to, decided once at startup from the options; the
/// layout shows a banner unless it is a live provider.</summary>
public sealed class LlmStatus
{
    public LlmStatus(IOptions<LlmOptions> options)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            Mode = LlmMode.Disabled;
            ProviderName = NoProvider;
            Model = "none";
            DefaultChain = [NoProvider];
            return;
        }
        DefaultChain = ResolveChain(o);
        ProviderName = DefaultChain[0];
        (Mode, Model) = ProviderName switch
        {
            ProviderNames.Simulator => (LlmMode.Simulator, SimulatorChatClient.ModelName),
            ProviderNames.OpenAI => (LlmMode.Live, o.OpenAI.Model),
            _ => (LlmMode.Live, o.Groq.Model),
        };
    }

    public const string NoProvider = "none";

    public LlmMode Mode { get; }
    public string ProviderName { get; }
    public string Model { get; }

    /// <summary>The providers every call tries in order unless routing says otherwise.</summary>
    public IReadOnlyList<string> DefaultChain { get; }

    /// <summary>
    /// Primary, then fallback, leaving out groq when it has no key. Only when that leaves nothing
    /// (nothing configured) does the simulator answer; it is never a fallback for a configured provider.
    /// </summary>
    public static IReadOnlyList<string> ResolveChain(LlmOptions options)
    {
        var chain = new List<string>();
        foreach (var name in new[] { options.PrimaryProvider, options.FallbackProvider })
        {
            var provider = name?.Trim().ToLowerInvariant();
            if (string.IsNullOrEmpty(provider) || chain.Contains(provider) || (provider == ProviderNames.Groq && !options.Groq.HasKey))
            {
                continue;
            }
            if (provider == ProviderNames.Simulator && chain.Count > 0)
            {
                continue;
            }
            chain.Add(provider);
        }
        return chain.Count > 0 ? chain : [ProviderNames.Simulator];
    }

    public static string ResolvePrimary(LlmOptions options) => ResolveChain(options)[0];

    public string? Banner => Mode switch
    {
        LlmMode.Simulator =>
            "Offline simulator: replies are simulated, not written by an AI model. Set GROQ_API_KEY (or dotnet user-secrets) and restart to use Groq.",
        LlmMode.Disabled =>
            "AI replies are turned off (LLM_ENABLED=false). You can read and write messages; the tutor will not answer until an administrator turns it on.",
        _ => null,
    };

    public const string DisabledMessage =
        "Your message was saved, but AI replies are turned off (LLM_ENABLED=false). Ask an administrator to turn them on, then use \"Get a reply\".";
}
