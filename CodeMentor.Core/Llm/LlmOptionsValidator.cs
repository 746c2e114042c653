using Microsoft.Extensions.Options;

namespace CodeMentor.Core.Llm;

/// <summary>Rules between LLM settings. Each value's own type and range is checked before binding by
/// <see cref="Configuration.SettingsCatalog"/>; each message here names the environment variable too,
/// because that is what a user will search for.</summary>
internal sealed class LlmOptionsValidator : IValidateOptions<LlmOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Groq.Model))
        {
            errors.Add("GROQ_MODEL (Llm:Groq:Model) must not be empty; the default is openai/gpt-oss-20b.");
        }
        if (string.Equals(options.PrimaryProvider, ProviderNames.OpenAI, StringComparison.OrdinalIgnoreCase)
            && string.IsNullOrWhiteSpace(options.OpenAI.Model))
        {
            errors.Add("OPENAI_MODEL (Llm:OpenAI:Model) must name a model when LLM_PRIMARY_PROVIDER is openai.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
