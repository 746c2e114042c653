using System.Text.Json;
using System.Text.RegularExpressions;

namespace CodeMentor.Tests.Support;

/// <summary>The Python tutorial from Debian's python3-doc (installed by scripts/test.sh) as course material,
/// and the question set written against it (Data/CourseMaterial).</summary>
public static partial class PythonTutorial
{
    /// <summary>The HTML documentation root of the installed python3-doc (/usr/share/doc/python3.X/html).</summary>
    public static string DocsFolder =>
        Directory.Exists("/usr/share/doc")
            ? Directory.GetDirectories("/usr/share/doc", "python3.*").Select(d => Path.Combine(d, "html"))
                .FirstOrDefault(d => Directory.Exists(Path.Combine(d, "tutorial")))
              ?? throw new InvalidOperationException("Debian's python3-doc is not installed (apt-get install python3-doc; scripts/test.sh does it).")
            : throw new InvalidOperationException("No /usr/share/doc: the Python tutorial comes from Debian's python3-doc.");

    public static IReadOnlyList<string> TutorialPages =>
        Directory.GetFiles(Path.Combine(DocsFolder, "tutorial"), "*.html").Order(StringComparer.Ordinal).ToList();

    /// <summary>The six HOWTOs of the held-out question set (python-howto-questions.json).</summary>
    public static IReadOnlyList<string> HowtoPages =>
        new[] { "sorting", "regex", "functional", "argparse", "logging", "unicode" }.Select(p => Path.Combine(DocsFolder, "howto", p + ".html")).ToList();

    /// <summary>The pages of the second held-out set (python-library-questions.json): five library pages and the sockets HOWTO.</summary>
    public static IReadOnlyList<string> LibraryPages =>
        new[] { "library/csv", "library/json", "library/random", "library/os.path", "library/dataclasses", "howto/sockets" }
            .Select(p => Path.Combine(DocsFolder, p + ".html")).ToList();

    /// <summary>The pages of the third held-out set (python-reference-questions.json): five library reference pages.</summary>
    public static IReadOnlyList<string> ReferencePages =>
        new[] { "functools", "itertools", "collections", "pathlib", "shutil" }.Select(p => Path.Combine(DocsFolder, "library", p + ".html")).ToList();

    public sealed record Question(string Q, string Page, string Answer);

    public sealed record QuestionSet(string Corpus, IReadOnlyList<Question> Questions, IReadOnlyList<string> NotCovered);

    /// <summary>The tutorial's question set: written before the retrieval code, and tuned on since.</summary>
    public static QuestionSet Load() => Load("python-tutorial-questions.json");

    /// <summary>The HOWTOs' question set: written before any tuning was tried on it, to see whether tuning generalises.</summary>
    public static QuestionSet LoadHeldOut() => Load("python-howto-questions.json");

    /// <summary>The library pages' question set: written on 2026-11-29 before any retrieval ran on those pages, once the HOWTO
    /// set had been looked at for every variant tried.</summary>
    public static QuestionSet LoadLibrary() => Load("python-library-questions.json");

    /// <summary>The reference pages' question set: written on 2026-11-29 before any retrieval ran on those pages, once the
    /// library set's misses had suggested the next change.</summary>
    public static QuestionSet LoadReference() => Load("python-reference-questions.json");

    private static QuestionSet Load(string file) => JsonSerializer.Deserialize<QuestionSet>(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", "CourseMaterial", file)),
        new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

    /// <summary>Whitespace collapsed and the pilcrows of heading links dropped, for comparing an answer phrase with a passage.</summary>
    public static string Normalize(string text) => Whitespace().Replace(text.Replace("¶", ""), " ").Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
