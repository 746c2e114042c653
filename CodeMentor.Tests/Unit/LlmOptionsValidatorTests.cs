using CodeMentor.Core.Configuration;
using CodeMentor.Core.Llm;
using CodeMentor.Core.Llm.Routing;
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

    private static IReadOnlyList<string> Check(Dictionary<string, string?> environment, Dictionary<string, string?>? keys = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(keys ?? []).AddEnvironmentAliases(environment).Build();
        return SettingsCatalog.Check(configuration, environment);
    }

    [Theory]
    [InlineData("LLM_PRIMARY_PROVIDER", "gemini", "LLM_PRIMARY_PROVIDER must be one of groq, openai, simulator; it is 'gemini'.")]
    [InlineData("LLM_TIMEOUT", "0", "LLM_TIMEOUT must be a whole number from 1 to 600; it is '0'.")]
    [InlineData("LLM_TEMPERATURE", "3", "LLM_TEMPERATURE must be a number from 0 to 2; it is '3'.")]
    [InlineData("LLM_TEMPERATURE", "abc", "LLM_TEMPERATURE must be a number from 0 to 2; it is 'abc'.")]
    [InlineData("LLM_ENABLED", "maybe", "LLM_ENABLED must be true or false; it is 'maybe'.")]
    [InlineData("GROQ_RATE_LIMIT_RPM", "abc", "GROQ_RATE_LIMIT_RPM must be a whole number from 1 to 100,000; it is 'abc'.")]
    [InlineData("GROQ_RATE_LIMIT_RPM", "-5", "GROQ_RATE_LIMIT_RPM must be a whole number from 1 to 100,000; it is '-5'.")]
    [InlineData("GROQ_RATE_LIMIT_RPM", "0", "GROQ_RATE_LIMIT_RPM must be a whole number from 1 to 100,000; it is '0'.")]
    [InlineData("GROQ_RATE_LIMIT_RPD", "0", "GROQ_RATE_LIMIT_RPD must be a whole number from 1 to 10,000,000; it is '0'.")]
    [InlineData("GROQ_BASE_URL", "not a url", "GROQ_BASE_URL must be an absolute http:// or https:// URL; it is 'not a url'.")]
    [InlineData("LLM_CONTEXT_MAX_TOKENS", "10", "LLM_CONTEXT_MAX_TOKENS must be a whole number from 256 to 131,072; it is '10'.")]
    [InlineData("GROQ_REASONING_EFFORT", "extreme", "GROQ_REASONING_EFFORT must be one of low, medium, high; it is 'extreme'.")]
    [InlineData("LLM_FALLBACK_PROVIDER", "simulator", "LLM_FALLBACK_PROVIDER must be one of groq, openai; it is 'simulator'. The simulator never stands in for a provider that failed; use openai (e.g. a local Ollama) or leave it empty.")]
    public void Invalid_settings_name_the_variable_that_was_set_and_the_allowed_values(string variable, string value, string message)
    {
        Assert.Equal([message], Check(new() { [variable] = value }));
    }

    [Fact]
    public void The_name_is_the_one_the_user_set_alias_key_or_environment_form_of_the_key()
    {
        Assert.Equal(["GROQ_TIMEOUT must be a whole number from 1 to 600; it is 'x'."], Check(new() { ["GROQ_TIMEOUT"] = "x" }));
        Assert.Equal(["Llm:TimeoutSeconds must be a whole number from 1 to 600; it is 'x'."], Check([], new() { ["Llm:TimeoutSeconds"] = "x" }));
        Assert.Equal(["Llm__TimeoutSeconds must be a whole number from 1 to 600; it is 'x'."],
            Check(new() { ["Llm__TimeoutSeconds"] = "x" }, new() { ["Llm:TimeoutSeconds"] = "x" }));
    }

    [Fact]
    public void A_malformed_key_is_reported_without_echoing_it()
    {
        var failure = Assert.Single(Check(new() { ["GROQ_API_KEY"] = "gsk_abc def" }));
        Assert.Contains("GROQ_API_KEY", failure);
        Assert.DoesNotContain("gsk_abc", failure);
    }

    [Fact]
    public void Every_environment_name_of_the_original_design_is_in_the_catalog()
    {
        string[] names = ["GROQ_API_KEY", "GROQ_MODEL", "GROQ_MAX_RETRIES", "GROQ_TIMEOUT", "GROQ_RATE_LIMIT_RPM", "GROQ_RATE_LIMIT_RPD", "LLM_ENABLED",
            "LLM_CACHE_TTL", "LLM_MAX_RETRIES", "LLM_TIMEOUT", "LLM_MAX_TOKENS", "LLM_TEMPERATURE", "LLM_PRIMARY_PROVIDER", "LLM_FALLBACK_PROVIDER"];
        Assert.All(names, n => Assert.Contains(EnvironmentAliases.Map, a => a.Variable == n));
    }

    [Fact]
    public void GROQ_MODEL_wins_over_the_built_in_defaults_but_not_over_a_configured_route()
    {
        var unset = new LlmOptions();
        Features.ApplyModels(unset, groqModelConfigured: false);
        Assert.Equal("openai/gpt-oss-20b", unset.Routing["chat"].Model);
        Assert.Equal("openai/gpt-oss-120b", unset.Routing["review"].Model);

        var set = Bind(new() { ["GROQ_MODEL"] = "llama-3.3-70b-versatile" });
        set.Routing["insight"] = new FeatureRoute { Model = "openai/gpt-oss-120b" };
        Features.ApplyModels(set, groqModelConfigured: true);
        Assert.All(Features.All.Where(f => f != "insight"), f => Assert.Equal("llama-3.3-70b-versatile", set.Routing[f].Model));
        Assert.Equal("openai/gpt-oss-120b", set.Routing["insight"].Model);
    }

    [Fact]
    public void Simulator_stands_in_only_when_groq_has_no_key()
    {
        Assert.Equal("simulator", LlmStatus.ResolvePrimary(new LlmOptions()));
        Assert.Equal("groq", LlmStatus.ResolvePrimary(new LlmOptions { Groq = { ApiKey = "k" } }));
        Assert.Equal("openai", LlmStatus.ResolvePrimary(new LlmOptions { PrimaryProvider = "openai" }));
    }
}
