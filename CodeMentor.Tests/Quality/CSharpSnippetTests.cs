using System.Text.Json;
using System.Text.RegularExpressions;
using CodeMentor.Core.Tutoring.Reviews;

namespace CodeMentor.Tests.Quality;

/// <summary>
/// The review's compiler facts against a real <c>dotnet build</c> of the same snippets
/// (Data/CSharpSnippets: 20 or more of each shape; expected.json comes from
/// scripts/csharp-snippet-expectations.sh). Every diagnostic must be one a real build reports, on
/// the learner's line, with its severity; nothing may be invented by the way the snippet is held.
/// </summary>
public sealed partial class CSharpSnippetTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Data", "CSharpSnippets");

    private static readonly Dictionary<string, SnippetShape> Shapes = new()
    {
        ["program"] = SnippetShape.Program,
        ["toplevel"] = SnippetShape.TopLevelStatements,
        ["members"] = SnippetShape.Members,
        ["methods"] = SnippetShape.Methods,
        ["expression"] = SnippetShape.Expression,
    };

    private sealed record Expected(string Severity, string Id, int Line, string Message);

    private static readonly Dictionary<string, List<Expected>> ExpectedDiagnostics =
        JsonSerializer.Deserialize<Dictionary<string, List<Expected>>>(File.ReadAllText(Path.Combine(Folder, "expected.json")),
            new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

    public static TheoryData<string> Snippets()
    {
        var data = new TheoryData<string>();
        foreach (var shape in Shapes.Keys)
        {
            foreach (var (name, _) in Read(shape))
            {
                data.Add($"{shape}/{name}");
            }
        }
        return data;
    }

    private static IEnumerable<(string Name, string Code)> Read(string shape)
    {
        string? name = null;
        var lines = new List<string>();
        foreach (var line in File.ReadAllText(Path.Combine(Folder, shape + ".cs")).Split('\n'))
        {
            var header = Separator().Match(line);
            if (header.Success)
            {
                if (name is not null)
                {
                    yield return (name, string.Join('\n', lines).TrimEnd('\n'));
                }
                (name, lines) = (header.Groups[1].Value, []);
            }
            else if (name is not null)
            {
                lines.Add(line);
            }
        }
        if (name is not null)
        {
            yield return (name, string.Join('\n', lines).TrimEnd('\n'));
        }
    }

    [Fact]
    public void Every_shape_has_at_least_20_snippets_with_expectations_from_a_real_build()
    {
        foreach (var shape in Shapes.Keys)
        {
            var names = Read(shape).Select(s => s.Name).ToList();
            Assert.True(names.Count >= 20, $"{shape}: {names.Count}");
            Assert.All(names, n => Assert.True(ExpectedDiagnostics.ContainsKey($"{shape}/{n}"), $"{shape}/{n} has no expectation; run scripts/csharp-snippet-expectations.sh"));
        }
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void The_compiler_facts_are_what_a_real_build_reports(string snippet)
    {
        var shape = snippet.Split('/')[0];
        var code = Read(shape).Single(s => $"{shape}/{s.Name}" == snippet).Code;

        var analysis = CSharpDiagnostics.Analyze(code);

        Assert.Equal(Shapes[shape], analysis.Shape);
        var expected = ExpectedDiagnostics[snippet].Select(d => $"{d.Severity} {d.Id} line {d.Line}: {d.Message}").Order().ToList();
        var actual = analysis.Diagnostics.Select(d => $"{d.Severity} {d.Id} line {d.Line}: {d.Message}").Order().ToList();
        Assert.Equal(expected, actual);
    }

    [GeneratedRegex(@"^// ==== (.+) ====$")]
    private static partial Regex Separator();
}
