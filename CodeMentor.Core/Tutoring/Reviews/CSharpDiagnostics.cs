using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CodeMentor.Core.Tutoring.Reviews;

/// <summary>One compiler diagnostic, as the review page shows it and the model is told.</summary>
public sealed record CodeDiagnostic(string Severity, string Id, int Line, string Message)
{
    public override string ToString() => $"{Severity} {Id} (line {Line}): {Message}";
}

/// <summary>
/// Compiles pasted C# with Roslyn (in memory, never run) against the core libraries, as a script
/// when it has top-level statements, so the review can start from facts. Only errors and warnings
/// a learner can act on are kept.
/// </summary>
public static class CSharpDiagnostics
{
    private static readonly Lazy<MetadataReference[]> References = new(() =>
        ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => Path.GetFileName(path) is var name && (name.StartsWith("System.", StringComparison.Ordinal) || name is "mscorlib.dll" or "netstandard.dll"))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray());

    public static IReadOnlyList<CodeDiagnostic> Analyze(string code, int max = 30)
    {
        var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest));
        var hasEntryPoint = code.Contains("static void Main", StringComparison.Ordinal) || code.Contains("static int Main", StringComparison.Ordinal)
            || code.Contains("static async Task Main", StringComparison.Ordinal);
        var usesTopLevel = tree.GetCompilationUnitRoot().Members.Any(m => m is Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax);
        var kind = usesTopLevel || hasEntryPoint ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary;
        var compilation = CSharpCompilation.Create("LearnerCode", [tree, ImplicitUsings], References.Value,
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable));
        return compilation.GetDiagnostics()
            .Where(d => d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning && d.Location.SourceTree == tree)
            .OrderBy(d => d.Location.GetLineSpan().StartLinePosition.Line)
            .Take(max)
            .Select(d => new CodeDiagnostic(d.Severity == DiagnosticSeverity.Error ? "error" : "warning", d.Id,
                d.Location.GetLineSpan().StartLinePosition.Line + 1, d.GetMessage()))
            .ToList();
    }

    // The implicit usings of a new .NET console project: pasted snippets rely on them.
    private static readonly SyntaxTree ImplicitUsings = CSharpSyntaxTree.ParseText("""
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Threading;
        global using System.Threading.Tasks;
        """, new CSharpParseOptions(LanguageVersion.Latest));
}
