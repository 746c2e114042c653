using Microsoft.Extensions.Options;

namespace CodeMentor.Core.Llm;

/// <summary>Checks the LLM settings at startup. Each message names the environment variable
/// (and the configuration key) to fix, because that is what a user will search for.</summary>
public sealed class LlmOptionsValidator : IValidateOptions<LlmOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmOptions options)
    {
        var errors = new List<string>();

        void Range(string variable, string key, double value, double min, double max)
        {
            if (value < min || value > max)
            {
                errors.Add($"{variable} ({key}) must be between {min} and {max}; it is {value}.");
            }
        }

        if (!ProviderNames.All.Contains(options.PrimaryProvider, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"LLM_PRIMARY_PROVIDER (Llm:PrimaryProvider) must be one of {string.Join(", ", ProviderNames.All)}; it is '{options.PrimaryProvider}'.");
        }
        if (!string.IsNullOrWhiteSpace(options.FallbackProvider)
            && !ProviderNames.All.Contains(options.FallbackProvider, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"LLM_FALLBACK_PROVIDER (Llm:FallbackProvider) must be empty or one of {string.Join(", ", ProviderNames.All)}; it is '{options.FallbackProvider}'.");
        }

        if (string.Equals(options.FallbackProvider?.Trim(), ProviderNames.Simulator, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add("LLM_FALLBACK_PROVIDER (Llm:FallbackProvider) cannot be simulator: the simulator never stands in for a provider that failed. Use openai (e.g. a local Ollama) or leave it empty.");
        }

        Range("LLM_TIMEOUT", "Llm:TimeoutSeconds", options.TimeoutSeconds, 1, 600);
        Range("LLM_MAX_RETRIES", "Llm:MaxRetries", options.MaxRetries, 0, 10);
        Range("LLM_MAX_TOKENS", "Llm:MaxOutputTokens", options.MaxOutputTokens, 16, 131072);
        Range("LLM_TEMPERATURE", "Llm:Temperature", options.Temperature, 0, 2);
        Range("LLM_CACHE_TTL", "Llm:CacheTtlSeconds", options.CacheTtlSeconds, 0, 604800);
        Range("LLM_CONTEXT_MAX_MESSAGES", "Llm:Context:MaxMessages", options.Context.MaxMessages, 1, 1000);
        Range("LLM_CONTEXT_MAX_TOKENS", "Llm:Context:MaxTokens", options.Context.MaxTokens, 256, 131072);
        Range("LLM_SIMULATOR_TOKENS_PER_SECOND", "Llm:Simulator:TokensPerSecond", options.Simulator.TokensPerSecond, 1, 100000);

        CheckUrl(errors, "GROQ_BASE_URL", "Llm:Groq:Endpoint", options.Groq.Endpoint);
        CheckUrl(errors, "OPENAI_BASE_URL", "Llm:OpenAI:Endpoint", options.OpenAI.Endpoint);

        if (string.IsNullOrWhiteSpace(options.Groq.Model))
        {
            errors.Add("GROQ_MODEL (Llm:Groq:Model) must not be empty; the default is openai/gpt-oss-20b.");
        }
        if (options.Groq.ReasoningEffort is { Length: > 0 } effort && effort is not ("low" or "medium" or "high"))
        {
            errors.Add($"GROQ_REASONING_EFFORT (Llm:Groq:ReasoningEffort) must be low, medium or high; it is '{effort}'.");
        }
        if (options.Groq.ApiKey is { Length: > 0 } key && key.Any(char.IsWhiteSpace))
        {
            // The key itself is never echoed back.
            errors.Add("GROQ_API_KEY (Llm:Groq:ApiKey) contains whitespace; copy the key again without spaces or line breaks.");
        }
        if (string.Equals(options.PrimaryProvider, ProviderNames.OpenAI, StringComparison.OrdinalIgnoreCase)
            && string.IsNullOrWhiteSpace(options.OpenAI.Model))
        {
            errors.Add("OPENAI_MODEL (Llm:OpenAI:Model) must name a model when LLM_PRIMARY_PROVIDER is openai.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckUrl(List<string> errors, string variable, string key, string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{variable} ({key}) must be an absolute http(s) URL; it is '{value}'.");
        }
    }
}
