using CodeMentor.Core.Configuration;
using CodeMentor.Core.Llm;
using Microsoft.Extensions.Configuration;

namespace CodeMentor.Tests.Unit;

public sealed class LlmOptionsValidatorTests
{
    private static LlmOptions Bind(Dictionary<string, string?> environment)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentAliases(environment).Build();
        var options = new LlmOptions();
        configuration.GetSection(LlmOptions.SectionName).Bind(options);
        return options;
    }

    [Fact]
    public void Defaults_are_valid()
    {
        Assert.True(new LlmOptionsValidator().Validate(null, new LlmOptions()).Succeeded);
    }

    [Fact]
    public void Environment_names_of_the_original_design_map_onto_the_options()
    {
        var options = Bind(new()
        {
            ["GROQ_API_KEY"] = "k", ["GROQ_MODEL"] = "openai/gpt-oss-120b", ["GROQ_TIMEOUT"] = "12", ["LLM_MAX_RETRIES"] = "5",
            ["LLM_ENABLED"] = "false", ["LLM_CACHE_TTL"] = "60", ["LLM_MAX_TOKENS"] = "900", ["LLM_TEMPERATURE"] = "0.2",
            ["LLM_PRIMARY_PROVIDER"] = "openai", ["LLM_FALLBACK_PROVIDER"] = "groq", ["LLM_CONTEXT_MAX_MESSAGES"] = "6",
            ["LLM_CONTEXT_MAX_TOKENS"] = "3000", ["GROQ_BASE_URL"] = "http://gateway.local/v1",
        });

        Assert.Equal("k", options.Groq.ApiKey);
        Assert.Equal("openai/gpt-oss-120b", options.Groq.Model);
        Assert.Equal(12, options.TimeoutSeconds);
        Assert.Equal(5, options.MaxRetries);
        Assert.False(options.Enabled);
        Assert.Equal(60, options.CacheTtlSeconds);
        Assert.Equal(900, options.MaxOutputTokens);
        Assert.Equal(0.2, options.Temperature);
        Assert.Equal("openai", options.PrimaryProvider);
        Assert.Equal("groq", options.FallbackProvider);
        Assert.Equal(6, options.Context.MaxMessages);
        Assert.Equal(3000, options.Context.MaxTokens);
        Assert.Equal("http://gateway.local/v1", options.Groq.Endpoint);
    }

    [Fact]
    public void LLM_TIMEOUT_wins_over_GROQ_TIMEOUT()
    {
        Assert.Equal(9, Bind(new() { ["GROQ_TIMEOUT"] = "12", ["LLM_TIMEOUT"] = "9" }).TimeoutSeconds);
    }

    [Theory]
    [InlineData("LLM_PRIMARY_PROVIDER", "gemini", "LLM_PRIMARY_PROVIDER (Llm:PrimaryProvider) must be one of groq, openai, simulator; it is 'gemini'.")]
    [InlineData("LLM_TIMEOUT", "0", "LLM_TIMEOUT (Llm:TimeoutSeconds) must be between 1 and 600; it is 0.")]
    [InlineData("LLM_TEMPERATURE", "3", "LLM_TEMPERATURE (Llm:Temperature) must be between 0 and 2; it is 3.")]
    [InlineData("GROQ_BASE_URL", "not a url", "GROQ_BASE_URL (Llm:Groq:Endpoint) must be an absolute http(s) URL; it is 'not a url'.")]
    [InlineData("LLM_CONTEXT_MAX_TOKENS", "10", "LLM_CONTEXT_MAX_TOKENS (Llm:Context:MaxTokens) must be between 256 and 131072; it is 10.")]
    [InlineData("GROQ_REASONING_EFFORT", "extreme", "GROQ_REASONING_EFFORT (Llm:Groq:ReasoningEffort) must be low, medium or high; it is 'extreme'.")]
    public void Invalid_settings_name_the_variable_to_fix(string variable, string value, string message)
    {
        var result = new LlmOptionsValidator().Validate(null, Bind(new() { [variable] = value }));

        Assert.True(result.Failed);
        Assert.Contains(message, result.Failures!);
    }

    [Fact]
    public void A_malformed_key_is_reported_without_echoing_it()
    {
        var result = new LlmOptionsValidator().Validate(null, Bind(new() { ["GROQ_API_KEY"] = "gsk_abc def" }));

        var failure = Assert.Single(result.Failures!);
        Assert.Contains("GROQ_API_KEY", failure);
        Assert.DoesNotContain("gsk_abc", failure);
    }

    [Fact]
    public void Simulator_stands_in_only_when_groq_has_no_key()
    {
        Assert.Equal("simulator", LlmStatus.ResolvePrimary(new LlmOptions()));
        Assert.Equal("groq", LlmStatus.ResolvePrimary(new LlmOptions { Groq = { ApiKey = "k" } }));
        Assert.Equal("openai", LlmStatus.ResolvePrimary(new LlmOptions { PrimaryProvider = "openai" }));
    }
}
