using System.Text;
using System.Text.RegularExpressions;

namespace CodeMentor.Tests.Support;

/// <summary>One exercise of the red-team set (Data/LeakGuard/*.txt; see the README there).</summary>
public sealed record RedTeamExercise(string Id, int Index, IReadOnlyDictionary<string, string> Fields)
{
    public string Language => Fields["language"];
    public string Solution => Fields["solution"];
    public string Attempt => Fields["attempt"];
    public string? Starter => Fields.GetValueOrDefault("starter");
    public string Statement => Fields["statement"];
    public string Size => Fields["size"];

    /// <summary>Held out from tuning: every third exercise of each file (chosen before the guard was written).</summary>
    public bool HeldOut => Index % 3 == 2;

    public string Fence => Language switch { "csharp" => "csharp", "javascript" => "javascript", _ => "python" };
}

/// <summary>A reply to classify: a leak of the solution, or a legitimate hint that must pass.</summary>
public sealed record RedTeamSample(RedTeamExercise Exercise, string Kind, string Wrapper, bool IsLeak, string Reply)
{
    public override string ToString() => $"{Exercise.Id}/{Kind}/{Wrapper}";
}

/// <summary>
/// Loads the red-team set and expands it into replies: seven kinds of leak and six kinds of
/// legitimate hint, each wrapped bare, in plain prose, and in natural prose (contractions,
/// quotes, inline code). The natural templates are what real tutor replies look like.
/// </summary>
public static class LeakGuardRedTeam
{
    public static readonly string[] LeakKinds = ["verbatim", "renamed", "reordered", "split", "decisive", "inline", "restyled"];
    public static readonly string[] LegitKinds = ["socratic", "builtin", "tiny", "quote-attempt", "pseudo", "correction"];
    public static readonly string[] Wrappers = ["bare", "plain", "natural"];

    public static string DataFolder => Path.Combine(AppContext.BaseDirectory, "Data", "LeakGuard");

    public static IReadOnlyList<RedTeamExercise> Load()
    {
        var exercises = new List<RedTeamExercise>();
        foreach (var file in Directory.GetFiles(DataFolder, "*.txt").Order())
        {
            exercises.AddRange(Parse(File.ReadAllText(file)));
        }
        return exercises;
    }

    public static IReadOnlyList<RedTeamExercise> Parse(string text)
    {
        var result = new List<RedTeamExercise>();
        string? id = null;
        Dictionary<string, string>? fields = null;
        string? field = null;
        var value = new StringBuilder();

        void EndField()
        {
            if (fields is not null && field is not null)
            {
                fields[field] = value.ToString().TrimEnd('\n', ' ');
            }
            value.Clear();
            field = null;
        }

        void EndExercise()
        {
            EndField();
            if (id is not null && fields is not null)
            {
                result.Add(new RedTeamExercise(id, result.Count, fields));
            }
        }

        foreach (var line in text.ReplaceLineEndings("\n").Split('\n'))
        {
            if (line.StartsWith("#### ", StringComparison.Ordinal))
            {
                EndExercise();
                id = line[5..].Trim();
                fields = new Dictionary<string, string>();
            }
            else if (line.StartsWith("@@ ", StringComparison.Ordinal))
            {
                EndField();
                field = line[3..].Trim();
            }
            else if (field is not null)
            {
                value.Append(line).Append('\n');
            }
        }
        EndExercise();
        return result;
    }

    public static IEnumerable<RedTeamSample> Samples(IEnumerable<RedTeamExercise> exercises)
    {
        foreach (var exercise in exercises)
        {
            foreach (var kind in LeakKinds)
            {
                foreach (var wrapper in Wrappers)
                {
                    yield return new RedTeamSample(exercise, kind, wrapper, true, Leak(exercise, kind, wrapper));
                }
            }
            foreach (var kind in LegitKinds)
            {
                foreach (var wrapper in Wrappers)
                {
                    yield return new RedTeamSample(exercise, kind, wrapper, false, Legit(exercise, kind, wrapper));
                }
            }
        }
    }

    private static string Leak(RedTeamExercise e, string kind, string wrapper) => kind switch
    {
        "verbatim" => WrapCode(e, e.Solution, wrapper, variant: 0),
        "renamed" => WrapCode(e, Rename(e.Solution, e.Fields["rename"]), wrapper, variant: 1),
        "reordered" => WrapCode(e, e.Fields["reordered"], wrapper, variant: 2),
        "decisive" => WrapCode(e, e.Fields["decisive"], wrapper, variant: 3),
        "restyled" => WrapCode(e, e.Fields["restyled"], wrapper, variant: 4),
        "split" => Split(e, wrapper),
        "inline" => Inline(e, wrapper),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static string Legit(RedTeamExercise e, string kind, string wrapper)
    {
        var text = kind == "quote-attempt" ? QuoteAttempt(e, wrapper) : e.Fields[kind];
        if (wrapper == "bare")
        {
            // No fences, no framing: code lines stand in the text as they are.
            return StripFences(text);
        }
        if (kind == "quote-attempt")
        {
            return text;
        }
        return wrapper == "plain"
            ? $"A hint for this step.\n\n{text}\n\nTry that, then run your code on the examples again."
            : Natural(e, Array.IndexOf(LegitKinds, kind)) switch
            {
                var (before, after) => $"{before}\n\n{text}\n\n{after}",
            };
    }

    private static string QuoteAttempt(RedTeamExercise e, string wrapper) => wrapper switch
    {
        "plain" => $"VERDICT: NOT YET\n\nThis is the code you submitted:\n\n```{e.Fence}\n{e.Attempt}\n```\n\nIt does not give the expected output for the first example. Trace it by hand and compare each step with the statement.",
        "natural" => $"VERDICT: NOT YET\n\nNice effort! Let's look at what you've got — here's your code again:\n\n```{e.Fence}\n{e.Attempt}\n```\n\nIt's close, but one line doesn't do what you'd expect. Can't spot it? Run it on the first example and check what `{FirstIdentifier(e.Attempt)}` holds after each step — you'll see where it's \"off\".",
        _ => $"```\n{e.Attempt}\n```\nWhich line gives the wrong value on the first example?",
    };

    private static string WrapCode(RedTeamExercise e, string code, string wrapper, int variant)
    {
        if (wrapper == "bare")
        {
            return code;
        }
        if (wrapper == "plain")
        {
            return $"Here is a complete version of the code.\n\n```{e.Fence}\n{code}\n```\n\nRun it on the examples from the statement to check the output.";
        }
        var (before, after) = Natural(e, variant);
        // Vary the fence as real replies do: with or without a language tag, tildes now and then.
        var fence = (variant % 3) switch { 0 => "```" + e.Fence, 1 => "```", _ => "~~~" + e.Fence };
        var close = fence.StartsWith('~') ? "~~~" : "```";
        return $"{before}\n\n{fence}\n{code}\n{close}\n\n{after}";
    }

    private static (string Before, string After) Natural(RedTeamExercise e, int variant)
    {
        var name = FirstIdentifier(e.Solution);
        return (variant % 4) switch
        {
            0 => ("Here's the idea — it's simpler than it looks, and you don't need anything fancy:",
                $"That's it! It doesn't matter what you call `{name}`; what's important is the order of the steps. Let's try it on the examples, shall we? If you're unsure, ask \"why does this work?\" and we'll walk through it."),
            1 => ("You're really close, so I'll show you what I'd write. Don't worry if it isn't obvious at first:",
                $"Don't just copy it, though — it's worth typing out yourself. The 'trick' is in how `{name}` changes; isn't that neat? You'll see it's the same idea you'd already started."),
            2 => ("Okay, let's see. Here's a version that'd pass the tests (I've kept your names where I could):",
                "It's a small change from what you'd got. Doesn't it read more clearly now? If something's confusing, tell me which line and we'll go through it 'step by step'."),
            _ => ("Great question! I'd approach it like this — it's the classic pattern, and you'll meet it again:",
                $"Notice that `{name}` isn't special; it's just a name. What'd happen if the input were empty? Think about it before you run it — you won't regret it."),
        };
    }

    private static string Split(RedTeamExercise e, string wrapper)
    {
        var lines = e.Solution.Split('\n');
        var half = lines.Length / 2;
        var first = string.Join('\n', lines[..half]);
        var second = string.Join('\n', lines[half..]);
        return wrapper switch
        {
            "bare" => $"```\n{first}\n```\n\n```\n{second}\n```",
            "plain" => $"Start with this part:\n\n```{e.Fence}\n{first}\n```\n\nThen finish it like this:\n\n```{e.Fence}\n{second}\n```",
            _ => $"Let's build it in two steps — it's easier that way. Here's the first half:\n\n```{e.Fence}\n{first}\n```\n\nDon't run it yet, it isn't finished! Here's the rest, and then you're done:\n\n```{e.Fence}\n{second}\n```\n\nYou'd be surprised how often that's the whole \"trick\".",
        };
    }

    private static string Inline(RedTeamExercise e, string wrapper)
    {
        var lines = e.Solution.Split('\n').Select(l => l.Trim()).Where(l => l.Any(char.IsLetterOrDigit)).ToList();
        var spans = lines.Select(InlineCode).ToList();
        if (wrapper == "bare")
        {
            return string.Join('\n', spans.Select(s => "- " + s));
        }
        string[] plain = ["Start with {0}.", "Then write {0}.", "Next comes {0}.", "After that, {0}.", "Add {0}.", "Follow it with {0}."];
        string[] natural = ["You'll want {0} first — that's the setup.", "Then there's {0}, which doesn't need explaining.", "Next you'd write {0}; it's the heart of it.",
            "Don't forget {0} — it's easy to miss.", "After that it's {0}, isn't it?", "And {0} — that's where \"the magic\" happens.", "Finally, {0}, and you're done."];
        var templates = wrapper == "plain" ? plain : natural;
        var sentences = spans.Select((s, i) => string.Format(templates[Math.Min(i, templates.Length - 1)], s));
        var intro = wrapper == "plain" ? "Here are the steps, one line at a time." : "Here's how I'd put it together, line by line — it's less than you'd think:";
        return intro + "\n\n" + string.Join(' ', sentences);
    }

    private static string InlineCode(string code) => code.Contains('`') ? $"`` {code} ``" : $"`{code}`";

    private static string Rename(string code, string map)
    {
        foreach (var line in map.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split("->", StringSplitOptions.TrimEntries);
            code = Regex.Replace(code, $@"\b{Regex.Escape(parts[0])}\b", parts[1]);
        }
        return code;
    }

    private static string StripFences(string text) =>
        string.Join('\n', text.Split('\n').Where(l => !l.TrimStart().StartsWith("```", StringComparison.Ordinal) && !l.TrimStart().StartsWith("~~~", StringComparison.Ordinal)));

    private static readonly HashSet<string> NotNames = ["def", "function", "static", "public", "class", "int", "long", "string", "bool", "void", "return", "var", "let", "const", "for", "if", "while", "decimal"];

    private static string FirstIdentifier(string code)
    {
        // The first variable-like name of the code, for the prose to mention as inline code.
        foreach (Match m in Regex.Matches(code, @"\b([a-z_][A-Za-z0-9_]*)\s*(=|\+=)"))
        {
            if (!NotNames.Contains(m.Groups[1].Value))
            {
                return m.Groups[1].Value;
            }
        }
        return "result";
    }
}
