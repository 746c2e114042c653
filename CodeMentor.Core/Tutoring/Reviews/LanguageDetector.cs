using System.Text.RegularExpressions;

namespace CodeMentor.Core.Tutoring.Reviews;

/// <summary>Guesses the language of pasted code or a file, so the learner rarely has to choose it.
/// File extensions decide when there is one; otherwise a few telling patterns.</summary>
public static partial class LanguageDetector
{
    public static readonly IReadOnlyList<string> Languages =
        ["C#", "Python", "JavaScript", "TypeScript", "Java", "C", "C++", "Go", "Rust", "SQL", "HTML", "Other"];

    private static readonly Dictionary<string, string> Extensions = new(StringComparer.OrdinalIgnoreCase)
    {
        [".cs"] = "C#", [".py"] = "Python", [".js"] = "JavaScript", [".mjs"] = "JavaScript", [".ts"] = "TypeScript",
        [".java"] = "Java", [".c"] = "C", [".h"] = "C", [".cpp"] = "C++", [".cc"] = "C++", [".hpp"] = "C++",
        [".go"] = "Go", [".rs"] = "Rust", [".sql"] = "SQL", [".html"] = "HTML", [".htm"] = "HTML",
    };

    /// <summary>How much of the code is looked at: plenty to tell a language, and it keeps the
    /// patterns' work small however much is pasted (the page detects on every keystroke).</summary>
    private const int SampleLength = 4000;

    public static string Detect(string code, string? fileName = null)
    {
        if (fileName is not null && Extensions.TryGetValue(Path.GetExtension(fileName), out var byExtension))
        {
            return byExtension;
        }
        (string Language, Regex Pattern)[] rules =
        [
            ("C#", CSharp()), ("Java", Java()), ("Rust", Rust()), ("Go", Go()), ("C++", Cpp()), ("C", C()),
            ("TypeScript", TypeScript()), ("Python", Python()), ("JavaScript", JavaScript()), ("SQL", Sql()), ("HTML", Html()),
        ];
        var sample = code.Length <= SampleLength ? code : code[..SampleLength];
        foreach (var (language, pattern) in rules)
        {
            if (pattern.IsMatch(sample))
            {
                return language;
            }
        }
        return "Other";
    }

    [GeneratedRegex(@"\busing\s+System\b|\bnamespace\s+\w+|\bConsole\.Write|\bpublic\s+(static\s+)?(void|int|string|class|record)\b.*\{|\bvar\s+\w+\s*=.*;\s*$", RegexOptions.Multiline)]
    private static partial Regex CSharp();
    [GeneratedRegex(@"\bpublic\s+static\s+void\s+main\s*\(|System\.out\.print|\bimport\s+java\.", RegexOptions.Multiline)]
    private static partial Regex Java();
    [GeneratedRegex(@"\bfn\s+\w+\s*\(|\blet\s+mut\b|println!\(")]
    private static partial Regex Rust();
    [GeneratedRegex(@"^package\s+\w+|\bfunc\s+\w+\s*\(|fmt\.Print", RegexOptions.Multiline)]
    private static partial Regex Go();
    [GeneratedRegex(@"#include\s*<(iostream|vector|string)>|\bstd::|\bcout\s*<<")]
    private static partial Regex Cpp();
    [GeneratedRegex(@"#include\s*<\w+\.h>|\bprintf\s*\(|\bint\s+main\s*\(")]
    private static partial Regex C();
    [GeneratedRegex(@":\s*(string|number|boolean)\b|\binterface\s+\w+\s*\{|\bexport\s+type\b")]
    private static partial Regex TypeScript();
    [GeneratedRegex(@"^\s*def\s+\w+\s*\(.*\)\s*:|^\s*import\s+\w+\s*$|\bprint\s*\(|^\s*elif\b", RegexOptions.Multiline)]
    private static partial Regex Python();
    [GeneratedRegex(@"\bfunction\s+\w+\s*\(|\bconst\s+\w+\s*=|console\.log|=>\s*\{")]
    private static partial Regex JavaScript();
    [GeneratedRegex(@"\bSELECT\b[\s\S]{0,2000}?\bFROM\b|\bCREATE\s+TABLE\b", RegexOptions.IgnoreCase)]
    private static partial Regex Sql();
    [GeneratedRegex(@"<!DOCTYPE html>|<html\b|<div\b", RegexOptions.IgnoreCase)]
    private static partial Regex Html();
}
