namespace CodeMentor.Core.Llm.Providers;

/// <summary>The simulator's replies: a label saying what it is and how to connect a real model,
/// then a short, genuinely useful note on the topic the learner mentioned.</summary>
internal static class SimulatedReplies
{
    public const string Label =
        "> **Offline simulator.** This reply was written by CodeMentor's built-in simulator, not by an AI model. " +
        "To talk to the real tutor, set `GROQ_API_KEY` (or run `dotnet user-secrets set Llm:Groq:ApiKey <key>` in CodeMentor.Web) and restart.";

    private static readonly (string[] Keywords, string Topic, string Body)[] Topics =
    [
        (["recurs"], "recursion",
            "A recursive function solves a problem by calling itself on a smaller piece of it. Two parts matter:\n\n" +
            "1. **Base case** – the input small enough to answer directly.\n2. **Recursive step** – shrink the input and call again.\n\n" +
            "```python\ndef factorial(n):\n    if n <= 1:          # base case\n        return 1\n    return n * factorial(n - 1)  # smaller problem\n```\n\n" +
            "Try tracing `factorial(3)` on paper: write each call on its own line and watch the calls unwind."),
        (["loop", "for ", "while"], "loops",
            "A loop repeats a block of code. Use `for` when you know what to iterate over and `while` when you repeat until a condition changes.\n\n" +
            "```python\nfor name in [\"Ada\", \"Linus\"]:\n    print(f\"Hello, {name}\")\n\ncount = 3\nwhile count > 0:\n    count -= 1\n```\n\n" +
            "Check each loop for two things: what changes on every pass, and what makes it stop."),
        (["function", "method", "def "], "functions",
            "A function names a piece of work, takes inputs (parameters) and gives back a result.\n\n" +
            "```csharp\nstatic int Add(int a, int b) => a + b;\nConsole.WriteLine(Add(2, 3)); // 5\n```\n\n" +
            "Good functions do one thing, have a name that says what, and avoid changing things outside themselves."),
        (["variable", "type"], "variables and types",
            "A variable is a named box for a value; its type says what kind of value fits in the box.\n\n" +
            "```csharp\nint age = 12;\nstring name = \"Ada\";\nbool isLearning = true;\n```\n\n" +
            "Ask yourself for each variable: what does it hold, and who is allowed to change it?"),
        (["class", "object", "oop"], "classes and objects",
            "A class is a blueprint; an object is one thing built from it, with its own data.\n\n" +
            "```csharp\nclass Dog\n{\n    public string Name { get; }\n    public Dog(string name) => Name = name;\n    public string Bark() => $\"{Name} says woof\";\n}\n```\n\n" +
            "Start by listing the nouns in your problem: they are often your classes."),
        (["array", "list", "dictionary", "map"], "collections",
            "Collections hold many values. A **list** keeps order and allows duplicates; a **dictionary** maps keys to values for fast look-up.\n\n" +
            "```python\nscores = [90, 72, 85]\nages = {\"Ada\": 36, \"Alan\": 41}\nprint(ages[\"Ada\"])\n```\n\n" +
            "Pick the collection by the question you ask most often: \"the i-th item?\" → list, \"the value for this key?\" → dictionary."),
        (["error", "exception", "bug", "debug"], "debugging",
            "When something fails, read the error message from the top: it names the kind of error and the line.\n\n" +
            "1. Reproduce the problem with the smallest input you can.\n2. Print or inspect the values just before the failing line.\n" +
            "3. Change one thing at a time and re-run.\n\nWhat does your error message say exactly?"),
        (["async", "await", "thread"], "asynchronous code",
            "`async`/`await` lets a program wait for slow work (files, network) without blocking.\n\n" +
            "```csharp\nasync Task<string> LoadAsync(HttpClient http) =>\n    await http.GetStringAsync(\"https://example.org\");\n```\n\n" +
            "Remember: an `async` method runs synchronously until its first `await` on something unfinished."),
    ];

    /// <summary>A reply in the shape each feature expects, so every page works offline.</summary>
    public static string For(string feature, IReadOnlyList<Microsoft.Extensions.AI.ChatMessage> prompt)
    {
        var question = prompt.LastOrDefault(m => m.Role == Microsoft.Extensions.AI.ChatRole.User)?.Text ?? "";
        if (feature is "chat" or "concept" && FromCourseMaterial(prompt) is { } grounded)
        {
            return grounded;
        }
        return feature switch
        {
            "exercise" => Exercise(question),
            "hint" => $"{Label}\n\nHint: re-read the examples and describe, in one sentence, what must happen to the input. Then write just that step and print the result.",
            "feedback" => $"VERDICT: NOT YET\n\n{Label}\n\nThe offline simulator cannot run or judge code, so it never marks an exercise solved. Compare your output with each example by hand, or connect Groq for real feedback.",
            "review" => $"{Label}\n\n## Summary\nThis is a simulated review: it shows the layout a real review has.\n\n## Issues\n**Low** – line 1: the simulator does not read code, so it found nothing specific.\n\n## Suggestions\n- Name things for what they mean.\n- Keep functions short.\n\n## What to learn next\nConnect a model to get a review of this code.",
            "onboarding" => Onboarding(prompt),
            "insight" => "(Offline simulator) A language model would write a short summary of the findings below here. Connect Groq to get one.",
            _ => For(question),
        };
    }

    /// <summary>In a course with material, what a model told to answer from it would do: quote the first passage
    /// with its citation, or say the course does not cover the question.</summary>
    private static string? FromCourseMaterial(IReadOnlyList<Microsoft.Extensions.AI.ChatMessage> prompt)
    {
        var system = prompt.Where(m => m.Role == Microsoft.Extensions.AI.ChatRole.System).Select(m => m.Text).ToList();
        if (system.Any(t => t.StartsWith(Pipeline.CourseMaterialChatClient.NotCovered, StringComparison.Ordinal)))
        {
            return $"{Label}\n\nThe course material does not cover this question. In general terms: break it into a small example you can check by hand, and ask me about each step.";
        }
        var grounding = system.FirstOrDefault(t => t.StartsWith(Pipeline.CourseMaterialChatClient.GroundingHeader, StringComparison.Ordinal));
        if (grounding is null)
        {
            return null;
        }
        // The first passage: the fenced block after the line "[1] …".
        var lines = grounding.Split('\n');
        var at = Array.FindIndex(lines, l => l.StartsWith("[1] ", StringComparison.Ordinal));
        if (at < 0 || at + 1 >= lines.Length)
        {
            return null;
        }
        var fence = lines[at + 1];
        var passage = lines.Skip(at + 2).TakeWhile(l => l != fence).ToList();
        var quoted = Tutoring.TextLimits.Shorten(string.Join('\n', passage).Trim(), 400, "…");
        return $"{Label}\n\nThe course material says this [1]:\n\n{string.Join('\n', quoted.Split('\n').Select(l => "> " + l))}\n\n" +
               "Open the source below to read the whole passage, and tell me which part you would like explained.";
    }

    private static string Exercise(string request)
    {
        var python = request.Contains("Language: Python", StringComparison.OrdinalIgnoreCase);
        return System.Text.Json.JsonSerializer.Serialize(new
        {
            title = "Sum of the even numbers (simulated exercise)",
            statement = "Write a function that returns the sum of the even numbers in a list of integers.\n\n*This exercise comes from the offline simulator.*",
            starterCode = python ? "def sum_even(numbers):\n    # TODO\n    pass\n" : "static int SumEven(int[] numbers)\n{\n    // TODO\n    return 0;\n}\n",
            examples = new[] { new { input = "[1, 2, 3, 4]", output = "6" }, new { input = "[]", output = "0" } },
            referenceSolution = python
                ? "def sum_even(numbers):\n    total = 0\n    for n in numbers:\n        if n % 2 == 0:\n            total += n\n    return total\n"
                : "static int SumEven(int[] numbers)\n{\n    var total = 0;\n    foreach (var n in numbers)\n    {\n        if (n % 2 == 0) total += n;\n    }\n    return total;\n}\n",
        });
    }

    private static string Onboarding(IReadOnlyList<Microsoft.Extensions.AI.ChatMessage> prompt)
    {
        var answers = prompt.Where(m => m.Role == Microsoft.Extensions.AI.ChatRole.User).Select(m => m.Text.Trim()).ToList();
        return answers.Count switch
        {
            <= 1 => "(Offline simulator) Thanks! Would you call yourself a beginner, intermediate or advanced programmer?",
            2 => "(Offline simulator) And what would you like to achieve, and what are you interested in?",
            _ => "(Offline simulator) Thank you, that's all I need.\n\n```profile\n" + System.Text.Json.JsonSerializer.Serialize(new
            {
                languages = answers[0],
                level = new[] { "advanced", "intermediate" }.FirstOrDefault(l => answers[1].Contains(l, StringComparison.OrdinalIgnoreCase)) ?? "beginner",
                goals = answers[2],
                interests = answers[2],
                preferredStyle = "step by step",
            }) + "\n```",
        };
    }

    public static string For(string question)
    {
        var lower = question.ToLowerInvariant();
        foreach (var (keywords, topic, body) in Topics)
        {
            if (keywords.Any(lower.Contains))
            {
                return $"{Label}\n\n### About {topic}\n\n{body}";
            }
        }

        var quoted = question.Trim().ReplaceLineEndings(" ");
        quoted = Tutoring.TextLimits.Shorten(quoted, 161, "…");
        return $"{Label}\n\nYou asked: *{EscapeMarkdown(quoted)}*\n\n" +
               "Here is how a tutor would help you work through it:\n\n" +
               "1. **Restate the goal** in one sentence: what should the program do?\n" +
               "2. **Find a tiny example** you can check by hand.\n" +
               "3. **Write the smallest piece of code** that handles that example, run it, then grow it.\n\n" +
               "Ask me about loops, functions, recursion, classes, collections, debugging or async code to see a worked example.";
    }

    private static string EscapeMarkdown(string text) =>
        text.Replace("\\", "\\\\").Replace("*", "\\*").Replace("_", "\\_").Replace("`", "\\`").Replace("<", "&lt;");
}
