namespace CodeMentor.Core.Llm;

/// <summary>Everything about how CodeMentor talks to a model. Bound from the "Llm" section;
/// the environment names users know (GROQ_API_KEY, LLM_TIMEOUT, ...) are mapped onto it by
/// <see cref="Configuration.EnvironmentAliases"/>.</summary>
public sealed class LlmOptions
{
    public const string SectionName = "Llm";

    /// <summary>LLM_ENABLED. False turns every model call off; the UI says so.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>LLM_PRIMARY_PROVIDER: groq, openai (any OpenAI-compatible endpoint) or simulator.</summary>
    public string PrimaryProvider { get; set; } = ProviderNames.Groq;

    /// <summary>LLM_FALLBACK_PROVIDER (used by the failover stage of the pipeline).</summary>
    public string? FallbackProvider { get; set; }

    /// <summary>LLM_TIMEOUT / GROQ_TIMEOUT, seconds per request.</summary>
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>LLM_MAX_RETRIES / GROQ_MAX_RETRIES.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>LLM_MAX_TOKENS: the most tokens one reply may have.</summary>
    public int MaxOutputTokens { get; set; } = 2048;

    /// <summary>LLM_TEMPERATURE.</summary>
    public double Temperature { get; set; } = 0.7;

    /// <summary>LLM_CACHE_TTL, seconds.</summary>
    public int CacheTtlSeconds { get; set; } = 3600;

    /// <summary>LLM_CHECKPOINT_SECONDS: how often a reply's text so far is written to the database.
    /// A hard kill of the server loses at most this much of a reply; each checkpoint is one small
    /// write per streaming reply (batched with the others), so shorter means more writes.</summary>
    public double CheckpointSeconds { get; set; } = 1;

    public ContextWindowOptions Context { get; set; } = new();
    public Resilience.ResilienceOptions Resilience { get; set; } = new();

    /// <summary>Feature → model and options (see <see cref="Routing.FeatureRoute"/>).</summary>
    public Dictionary<string, Routing.FeatureRoute> Routing { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    public GroqOptions Groq { get; set; } = new();
    public OpenAICompatibleOptions OpenAI { get; set; } = new();
    public SimulatorOptions Simulator { get; set; } = new();
}

internal static class ProviderNames
{
    public const string Groq = "groq";
    public const string OpenAI = "openai";
    public const string Simulator = "simulator";

    public static readonly IReadOnlyList<string> All = [Groq, OpenAI, Simulator];
}

public sealed class ContextWindowOptions
{
    /// <summary>LLM_CONTEXT_MAX_MESSAGES: history messages kept besides the system prompt.</summary>
    public int MaxMessages { get; set; } = 10;

    /// <summary>LLM_CONTEXT_MAX_TOKENS: token budget of system prompt plus earlier messages (the
    /// newest message is always sent whole).</summary>
    public int MaxTokens { get; set; } = 4000;

    /// <summary>Llm:Context:ModelTokens: what the model reads at once (gpt-oss: 131,072). A newest
    /// message that, with the system prompt and the reply, would not fit is refused before any call.</summary>
    public int ModelTokens { get; set; } = 131_072;
}

public sealed class GroqOptions
{
    public const string DefaultEndpoint = "https://api.groq.com/openai/v1";
    public const string DefaultModel = "openai/gpt-oss-20b";

    /// <summary>GROQ_API_KEY, from the environment or user-secrets only. Never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>GROQ_BASE_URL: tests and gateways point it elsewhere.</summary>
    public string Endpoint { get; set; } = DefaultEndpoint;

    /// <summary>GROQ_MODEL.</summary>
    public string Model { get; set; } = DefaultModel;

    /// <summary>GROQ_REASONING_EFFORT for gpt-oss models: low, medium or high.</summary>
    public string? ReasoningEffort { get; set; } = "low";

    public bool HasKey => !string.IsNullOrWhiteSpace(ApiKey);
}

public sealed class OpenAICompatibleOptions
{
    /// <summary>OPENAI_BASE_URL, e.g. a local Ollama.</summary>
    public string Endpoint { get; set; } = "http://localhost:11434/v1";

    /// <summary>OPENAI_API_KEY (Ollama and LM Studio need none).</summary>
    public string? ApiKey { get; set; }

    /// <summary>OPENAI_MODEL.</summary>
    public string Model { get; set; } = "llama3.2";
}

public sealed class SimulatorOptions
{
    /// <summary>LLM_SIMULATOR_TOKENS_PER_SECOND: how fast simulated replies stream.</summary>
    public int TokensPerSecond { get; set; } = 150;
}
