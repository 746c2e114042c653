namespace CodeMentor.Core.Llm.Providers;

/// <summary>Where one OpenAI-compatible provider lives and how to talk to it.</summary>
/// <param name="Name">groq or openai; shown to users and recorded with each reply.</param>
/// <param name="DisplayName">Shown in messages, e.g. "Groq".</param>
/// <param name="KeySetting">Where a user sets the key, named in the 401 message.</param>
internal sealed record ProviderEndpoint(
    string Name,
    string DisplayName,
    Uri BaseUri,
    string? ApiKey,
    string DefaultModel,
    string KeySetting,
    bool IsGroq,
    string? ReasoningEffort = null)
{
    /// <summary>Never print the key, including in records' generated ToString.</summary>
    public override string ToString() => $"{DisplayName} at {BaseUri} (model {DefaultModel})";
}
