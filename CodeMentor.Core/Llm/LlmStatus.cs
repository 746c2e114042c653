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
            return;
        }
        ProviderName = ResolvePrimary(o);
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

    /// <summary>groq without a key means "nothing configured": only then does the simulator stand in.</summary>
    public static string ResolvePrimary(LlmOptions options)
    {
        var primary = options.PrimaryProvider.ToLowerInvariant();
        return primary == ProviderNames.Groq && !options.Groq.HasKey ? ProviderNames.Simulator : primary;
    }

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
