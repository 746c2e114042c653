using CodeMentor.Core.Telemetry;
using CodeMentor.Core.Tokens;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CodeMentor.Core.Llm.Providers;

/// <summary>Builds the provider clients by name: groq, openai (any OpenAI-compatible endpoint), simulator.</summary>
internal sealed class LlmProviderFactory(
    IHttpClientFactory httpClients, IOptions<LlmOptions> options, TokenCounter tokens, TimeProvider time, ILoggerFactory loggers,
    IOptions<TelemetryOptions> telemetry)
{
    public const string HttpClientName = "codementor-llm";

    /// <summary>The provider's client, observed in the OpenTelemetry GenAI conventions: one span per
    /// attempt with the provider, the model and the tokens it reported (text only when allowed).</summary>
    public IChatClient Create(string providerName) =>
        new OpenTelemetryChatClient(CreateClient(providerName), loggers.CreateLogger<OpenTelemetryChatClient>(), CodeMentorTelemetry.GenAiSourceName)
        {
            EnableSensitiveData = telemetry.Value.CaptureMessageContent,
        };

    private IChatClient CreateClient(string providerName)
    {
        var o = options.Value;
        var timeout = TimeSpan.FromSeconds(o.TimeoutSeconds);
        return providerName.ToLowerInvariant() switch
        {
            ProviderNames.Groq => Http(new ProviderEndpoint(ProviderNames.Groq, "Groq", new Uri(o.Groq.Endpoint), o.Groq.ApiKey,
                o.Groq.Model, "GROQ_API_KEY (or dotnet user-secrets set Llm:Groq:ApiKey)", IsGroq: true, o.Groq.ReasoningEffort), timeout),
            ProviderNames.OpenAI => Http(new ProviderEndpoint(ProviderNames.OpenAI, "The OpenAI-compatible endpoint", new Uri(o.OpenAI.Endpoint),
                o.OpenAI.ApiKey, o.OpenAI.Model, "OPENAI_API_KEY", IsGroq: false), timeout),
            ProviderNames.Simulator => new SimulatorChatClient(tokens, o.Simulator, time),
            LlmStatus.NoProvider => new DisabledChatClient(),
            _ => throw new ArgumentOutOfRangeException(nameof(providerName), providerName, "Unknown provider."),
        };
    }

    private OpenAICompatibleChatClient Http(ProviderEndpoint endpoint, TimeSpan timeout) =>
        new(httpClients.CreateClient(HttpClientName), endpoint, timeout, time, loggers.CreateLogger<OpenAICompatibleChatClient>());
}
