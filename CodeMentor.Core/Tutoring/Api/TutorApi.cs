using CodeMentor.Core.Llm;
using CodeMentor.Core.Llm.Routing;
using CodeMentor.Core.Prompts;
using CodeMentor.Core.Tutoring.Reviews;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace CodeMentor.Core.Tutoring.Api;

/// <summary>A message as an OpenAI-compatible client sent it: role and text.</summary>
public sealed record ApiMessage(string Role, string Text);

/// <summary>One of the tutor's features offered as a "model" to OpenAI-compatible clients.</summary>
public sealed record TutorApiModel(string Id, string Feature, string Description);

/// <summary>A request the API refuses, in OpenAI's terms: the parameter at fault and a code.</summary>
public sealed record TutorApiRefusal(string Message, string? Param, string Code);

/// <summary>The prompt and options to run through the pipeline, or why the request is refused.</summary>
public sealed record TutorApiCall(IReadOnlyList<ChatMessage>? Prompt, ChatOptions? Options, TutorApiRefusal? Refusal);

/// <summary>
/// The tutor for OpenAI-compatible clients (editor plugins, notebooks, chat front-ends). The
/// "models" are the tutor's features, never raw provider models: each request gets that feature's
/// own system prompt and the learner's profile, and the client's messages enter only as the
/// learner's turns (its own system messages as delimited data), so the guard rails of the web
/// chat cannot be bypassed. Calls run through the same pipeline, limits and ledger.
/// </summary>
public sealed class TutorApi(LearnerProfiles profiles, IOptions<LlmOptions> options)
{
    public const string TutorModel = "codementor-tutor";
    public const string ReviewModel = "codementor-review";

    public static readonly IReadOnlyList<TutorApiModel> Models =
    [
        new(TutorModel, Features.Chat, "The Socratic tutor of the web chat: explains, asks, and hints instead of handing out solutions."),
        new(ReviewModel, Features.Review, "Reviews the code in your last message, with compiler findings for C#."),
    ];

    /// <summary>Most messages one request may carry (the context window keeps the newest that fit).</summary>
    public const int MaxMessages = 500;

    public async Task<TutorApiCall> PrepareAsync(string userId, string? model, IReadOnlyList<ApiMessage> messages,
        float? temperature, int? maxOutputTokens, CancellationToken ct = default)
    {
        var chosen = Models.FirstOrDefault(m => m.Id == model);
        if (chosen is null)
        {
            return Refuse(string.IsNullOrWhiteSpace(model)
                ? "Name a model: one of " + string.Join(", ", Models.Select(m => m.Id)) + "."
                : $"The model '{model}' does not exist here. CodeMentor offers {string.Join(", ", Models.Select(m => m.Id))} (GET /v1/models).",
                "model", "model_not_found");
        }
        if (messages.Count == 0)
        {
            return Refuse("Send at least one message.", "messages", "invalid_value");
        }
        if (messages.Count > MaxMessages)
        {
            return Refuse($"Send at most {MaxMessages} messages (this request has {messages.Count}).", "messages", "invalid_value");
        }
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].Role is not ("system" or "developer" or "user" or "assistant"))
            {
                return Refuse($"messages[{i}].role '{messages[i].Role}' is not supported: use system, developer, user or assistant (no tools here).",
                    $"messages[{i}].role", "invalid_value");
            }
            if (messages[i].Role != "assistant" && messages[i].Text.Length > 0 && MessageInputRules.Check(messages[i].Text) is { } problem)
            {
                return Refuse($"messages[{i}]: {problem}", $"messages[{i}].content", "invalid_value");
            }
        }
        if (messages[^1].Role != "user" || string.IsNullOrWhiteSpace(messages[^1].Text))
        {
            return Refuse("The last message must be the learner's (role user) and hold text.", "messages", "invalid_value");
        }

        var learner = (await profiles.GetAsync(userId, ct)).ToContext();
        var (prompt, refusal) = chosen.Id == ReviewModel ? ReviewPrompt(learner, messages[^1].Text) : (TutorPrompt(learner, messages), null);
        if (refusal is not null)
        {
            return new TutorApiCall(null, null, refusal);
        }
        var o = options.Value;
        var chatOptions = new ChatOptions
        {
            Temperature = temperature ?? (float)o.Temperature,
            // The client may ask for less than the configured cap, never more.
            MaxOutputTokens = maxOutputTokens is { } asked ? Math.Min(asked, o.MaxOutputTokens) : o.MaxOutputTokens,
        }.WithRequestContext(new LlmRequestContext(userId, chosen.Feature));
        return new TutorApiCall(prompt, chatOptions, null);
    }

    private static List<ChatMessage> TutorPrompt(LearnerContext learner, IReadOnlyList<ApiMessage> messages)
    {
        var prompt = new List<ChatMessage>(messages.Count + 1) { new(ChatRole.System, TutorSystemPrompt.Instance.Render(learner)) };
        foreach (var message in messages.Where(m => m.Text.Length > 0))
        {
            prompt.Add(message.Role switch
            {
                "assistant" => new ChatMessage(ChatRole.Assistant, message.Text),
                "user" => new ChatMessage(ChatRole.User, message.Text),
                // A client's own instructions are the learner's data, never the tutor's rules.
                _ => new ChatMessage(ChatRole.User, PromptData.Block("Notes from the learner's app", ("notes", message.Text))),
            });
        }
        return prompt;
    }

    private static (List<ChatMessage>? Prompt, TutorApiRefusal? Refusal) ReviewPrompt(LearnerContext learner, string code)
    {
        var language = LanguageDetector.Detect(code, null);
        var diagnostics = language == "C#" ? CSharpDiagnostics.Analyze(code).Diagnostics : [];
        var args = new CodeReviewArgs(code, language, learner, null, null, diagnostics.Count > 0 ? string.Join('\n', diagnostics) : null);
        var errors = CodeReviewPrompt.Instance.Validate(args);
        return errors.Count > 0
            ? (null, new TutorApiRefusal(TemplateErrors.Describe(errors), "messages", "invalid_value"))
            : (CodeReviewService.Prompt(learner, args), null);
    }

    private static TutorApiCall Refuse(string message, string? param, string code) => new(null, null, new TutorApiRefusal(message, param, code));
}
