namespace CodeMentor.Core.Prompts;

/// <summary>The greeting that opens a new conversation. Rendered locally (no model call), so a
/// new conversation costs nothing until the learner writes.</summary>
internal sealed class ConversationGreeting : PromptTemplate<LearnerContext>
{
    public static readonly ConversationGreeting Instance = new();

    public override string Name => "greeting";
    public override string Feature => "chat";

    public override IEnumerable<TemplateParameter> Parameters(LearnerContext args) =>
    [
        new("the name in your profile", args.Name, Required: false, MaxLength: LearnerLimits.Name),
        new("Level", args.Level, Required: true, MaxLength: LearnerLimits.Level),
    ];

    protected override string RenderCore(LearnerContext args) => $"""
        Hi{(args.Name is { Length: > 0 } n ? " " + OneLine(n) : "")}! I'm CodeMentor, your programming tutor.
        Ask me about a concept, paste some code you're stuck on, or tell me what you'd like to build. I'll pitch my answers at {args.Level} level.
        """;

    // The greeting is shown to the learner and sent back as the tutor's first message: a name stays on one line.
    private static string OneLine(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
