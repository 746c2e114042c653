using Microsoft.Extensions.Configuration;

namespace CodeMentor.Core.Configuration;

/// <summary>Maps the flat environment names of the original design (GROQ_API_KEY, LLM_TIMEOUT, ...)
/// onto the structured configuration keys the options are bound from. One table, so the README's
/// configuration table and the code cannot drift apart.</summary>
public static class EnvironmentAliases
{
    /// <summary>Environment name → configuration key. Where two names map to one key
    /// (GROQ_TIMEOUT and LLM_TIMEOUT), the one listed later wins.</summary>
    public static readonly IReadOnlyList<(string Variable, string Key)> Map =
    [
        ("LLM_ENABLED", "Llm:Enabled"),
        ("LLM_PRIMARY_PROVIDER", "Llm:PrimaryProvider"),
        ("LLM_FALLBACK_PROVIDER", "Llm:FallbackProvider"),
        ("GROQ_TIMEOUT", "Llm:TimeoutSeconds"),
        ("LLM_TIMEOUT", "Llm:TimeoutSeconds"),
        ("GROQ_MAX_RETRIES", "Llm:MaxRetries"),
        ("LLM_MAX_RETRIES", "Llm:MaxRetries"),
        ("LLM_MAX_TOKENS", "Llm:MaxOutputTokens"),
        ("LLM_TEMPERATURE", "Llm:Temperature"),
        ("LLM_CACHE_TTL", "Llm:CacheTtlSeconds"),
        ("LLM_CONTEXT_MAX_MESSAGES", "Llm:Context:MaxMessages"),
        ("LLM_CONTEXT_MAX_TOKENS", "Llm:Context:MaxTokens"),
        ("LLM_SIMULATOR_TOKENS_PER_SECOND", "Llm:Simulator:TokensPerSecond"),
        ("GROQ_API_KEY", "Llm:Groq:ApiKey"),
        ("GROQ_MODEL", "Llm:Groq:Model"),
        ("GROQ_BASE_URL", "Llm:Groq:Endpoint"),
        ("GROQ_REASONING_EFFORT", "Llm:Groq:ReasoningEffort"),
        ("OPENAI_BASE_URL", "Llm:OpenAI:Endpoint"),
        ("OPENAI_API_KEY", "Llm:OpenAI:ApiKey"),
        ("OPENAI_MODEL", "Llm:OpenAI:Model"),
        ("GROQ_RATE_LIMIT_RPM", "RateLimits:RequestsPerMinute"),
        ("GROQ_RATE_LIMIT_RPD", "RateLimits:RequestsPerDay"),
        ("CODEMENTOR_DB", "ConnectionStrings:CodeMentor"),
    ];

    /// <summary>Adds the aliases as a configuration source read from the given variables
    /// (the process environment by default).</summary>
    public static IConfigurationBuilder AddEnvironmentAliases(
        this IConfigurationBuilder builder, IReadOnlyDictionary<string, string?>? variables = null)
    {
        var source = variables ?? ReadProcessEnvironment();
        var mapped = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (variable, key) in Map)
        {
            if (source.TryGetValue(variable, out var value) && !string.IsNullOrEmpty(value))
            {
                mapped[key] = variable == "CODEMENTOR_DB" ? $"Data Source={value}" : value;
            }
        }
        return builder.AddInMemoryCollection(mapped);
    }

    private static Dictionary<string, string?> ReadProcessEnvironment()
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (variable, _) in Map)
        {
            result[variable] = Environment.GetEnvironmentVariable(variable);
        }
        return result;
    }
}
