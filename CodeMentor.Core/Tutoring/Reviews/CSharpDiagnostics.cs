using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CodeMentor.Core.Tutoring.Reviews;

/// <summary>One compiler diagnostic, as the review page shows it and the model is told.</summary>
/// <param name="Line">Line in the learner's text; 0 when the diagnostic is about the class that holds pasted members.</param>
/// <param name="Note">Why the learner may not need to act, e.g. a name that may be defined elsewhere in their project.</param>
public sealed record CodeDiagnostic(string Severity, string Id, int Line, string Message, string? Note = null)
{
    public override string ToString() =>
        $"{Severity} {Id} ({(Line > 0 ? $"line {Line}" : "the enclosing class")}): {Message}{(Note is null ? "" : $" [{Note}]")}";
}

/// <summary>What shape of C# the learner pasted, which decides how a real project would hold it.</summary>
internal enum SnippetShape
{
    /// <summary>Namespaces and types, with or without Main: the file as it is.</summary>
    Program,

    /// <summary>Top-level statements (types may follow them): Program.cs of a console project.</summary>
    TopLevelStatements,

    /// <summary>Members of a type without the type (fields, properties, constructors, methods): inside a class.</summary>
    Members,

    /// <summary>Only methods: inside a class (a static class when they are extension methods).</summary>
    Methods,

    /// <summary>A bare expression: a statement of its own in a console project.</summary>
    Expression,
}

internal sealed record CSharpAnalysis(SnippetShape Shape, IReadOnlyList<CodeDiagnostic> Diagnostics);

/// <summary>
/// Compiles pasted C# with Roslyn (in memory, never run) the way a real project would hold it, so
/// the review starts from facts and never from errors the wrapping invented: the snippet's shape
/// is detected first (a full program, top-level statements, members or methods of a type, or a
/// bare expression) and it is compiled in that context, against the .NET 10 reference assemblies,
/// with the SDK's implicit usings, nullable enabled and the SDK's warning level (checked against
/// real <c>dotnet build</c> output in the tests). Line numbers are those of the learner's text.
/// </summary>
internal static class CSharpDiagnostics
{
    /// <summary>The warning level of a net10.0 project (the SDK's default): every warning wave so far.</summary>
    private const int SdkWarningLevel = 9999;

    private static readonly CSharpParseOptions Parse = new(LanguageVersion.Default);

    // The implicit usings of Microsoft.NET.Sdk (console and class library projects).
    private static readonly SyntaxTree ImplicitUsings = CSharpSyntaxTree.ParseText("""
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """, Parse, path: "GlobalUsings.g.cs");

    // Names the learner's pasted fragment may take from the rest of their project.
    private static readonly HashSet<string> ContextIds = ["CS0103", "CS0246", "CS0234"];

    public static CSharpAnalysis Analyze(string code, int max = 30)
    {
        code = code.ReplaceLineEndings("\n");
        var shape = DetectShape(code);
        var diagnostics = Compile(code, shape);
        if (shape == SnippetShape.Expression && diagnostics.Any(d => d.Id == "CS0201"))
        {
            // Not a statement on its own (1 + 2): a real project would use its value.
            diagnostics = Compile(code, shape, discard: true);
        }
        var fragment = shape is SnippetShape.Members or SnippetShape.Methods or SnippetShape.Expression;
        return new CSharpAnalysis(shape, diagnostics
            .Select(d => fragment && ContextIds.Contains(d.Id) ? d with { Note = "may be defined elsewhere in your project" } : d)
            .Take(max).ToList());
    }

    public static SnippetShape DetectShape(string code)
    {
        var root = CSharpSyntaxTree.ParseText(code, Parse).GetCompilationUnitRoot();
        var members = root.Members;
        var globals = members.OfType<GlobalStatementSyntax>().ToList();
        var typeMembers = members.Where(m => m is FieldDeclarationSyntax or PropertyDeclarationSyntax or MethodDeclarationSyntax
            or ConstructorDeclarationSyntax or EventFieldDeclarationSyntax or EventDeclarationSyntax or IndexerDeclarationSyntax
            or OperatorDeclarationSyntax or ConversionOperatorDeclarationSyntax or IncompleteMemberSyntax or DestructorDeclarationSyntax).ToList();

        if (globals.Count == 1 && root.Usings.Count == 0 && typeMembers.Count == 0 && members.Count == 1
            && globals[0].Statement is ExpressionStatementSyntax { SemicolonToken.IsMissing: true })
        {
            return SnippetShape.Expression;
        }
        if (globals.Count == 0 && typeMembers.Count == 0 && members.Count == 0 && code.Trim().Length > 0 && !code.TrimEnd().EndsWith(';'))
        {
            // Text the compilation-unit parser could not place at all, e.g. an expression with a missing parenthesis.
            return SnippetShape.Expression;
        }

        // Methods written at the top level parse as local functions (with a modifier, as members).
        bool IsMethodLike(MemberDeclarationSyntax m) => m is MethodDeclarationSyntax
            || (m is GlobalStatementSyntax { Statement: LocalFunctionStatementSyntax });
        var statements = globals.Where(g => g.Statement is not LocalFunctionStatementSyntax).ToList();
        var hasMemberModifiers = globals.Any(g => g.Statement is LocalFunctionStatementSyntax f
            && f.Modifiers.Any(t => t.Kind() is SyntaxKind.PublicKeyword or SyntaxKind.PrivateKeyword or SyntaxKind.ProtectedKeyword
                or SyntaxKind.InternalKeyword or SyntaxKind.OverrideKeyword or SyntaxKind.VirtualKeyword));

        if (statements.Count > 0 && typeMembers.Count == 0)
        {
            return SnippetShape.TopLevelStatements;
        }
        if (typeMembers.Count > 0 || (globals.Count > 0 && statements.Count == 0))
        {
            // Only local functions and methods: a real project keeps methods in a class unless
            // something at the top level calls them.
            var onlyMethods = members.Where(m => m is not BaseTypeDeclarationSyntax).All(IsMethodLike);
            if (statements.Count == 0 && (typeMembers.Count > 0 || hasMemberModifiers || globals.Count > 0))
            {
                return onlyMethods ? SnippetShape.Methods : SnippetShape.Members;
            }
        }
        return SnippetShape.Program;
    }

    private static List<CodeDiagnostic> Compile(string code, SnippetShape shape, bool discard = false)
    {
        var (text, outputKind) = shape switch
        {
            SnippetShape.Members or SnippetShape.Methods => (WrapInClass(code), OutputKind.DynamicallyLinkedLibrary),
            SnippetShape.Expression => ((discard ? "_ = " : "") + code + ";\n", OutputKind.ConsoleApplication),
            SnippetShape.TopLevelStatements => (code, OutputKind.ConsoleApplication),
            _ => (code, HasMain(code) ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary),
        };
        var tree = CSharpSyntaxTree.ParseText(text, Parse, path: "Snippet.cs");
        var compilation = CSharpCompilation.Create("LearnerCode", [tree, ImplicitUsings], Net100.References.All,
            new CSharpCompilationOptions(outputKind, nullableContextOptions: NullableContextOptions.Enable, warningLevel: SdkWarningLevel));
        var wrapped = shape is SnippetShape.Members or SnippetShape.Methods;
        return AsTheCompilerReports(compilation)
            .Where(d => d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning && !d.IsSuppressed && d.Location.SourceTree == tree)
            .Select(d => new CodeDiagnostic(d.Severity == DiagnosticSeverity.Error ? "error" : "warning", d.Id, LearnerLine(d.Location, wrapped), d.GetMessage()))
            .DistinctBy(d => (d.Id, d.Line, d.Message))
            .OrderBy(d => d.Line).ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Diagnostics in the compiler's own stages: like csc, stop after parsing when it found errors,
    /// and after declarations when they did, so nothing is reported that a real build would not.
    /// </summary>
    private static List<Diagnostic> AsTheCompilerReports(CSharpCompilation compilation)
    {
        var reported = compilation.GetParseDiagnostics().ToList();
        if (reported.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            return reported;
        }
        reported.AddRange(compilation.GetDeclarationDiagnostics());
        if (reported.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            return reported;
        }
        reported.AddRange(compilation.GetMethodBodyDiagnostics());
        return reported;
    }

    /// <summary>Members go inside a class, as in a real file; leading using directives stay above
    /// it. #line keeps the learner's line numbers.</summary>
    internal static string WrapInClass(string code)
    {
        var root = CSharpSyntaxTree.ParseText(code, Parse).GetCompilationUnitRoot();
        var usingsEnd = root.Usings.Count > 0 ? root.Usings.Last().FullSpan.End : 0;
        var usingLines = usingsEnd > 0 ? code[..usingsEnd].Count(c => c == '\n') + (code[..usingsEnd].EndsWith('\n') ? 0 : 1) : 0;
        var rest = usingsEnd > 0 ? code[usingsEnd..].TrimStart('\n') : code;
        var restStartLine = usingsEnd > 0 ? code[..(code.Length - rest.Length)].Count(c => c == '\n') + 1 : 1;
        var modifier = root.DescendantNodes().OfType<ParameterSyntax>().Any(p => p.Modifiers.Any(SyntaxKind.ThisKeyword)) ? "static partial" : "partial";
        var usings = usingLines > 0 ? $"#line 1 \"learner.cs\"\n{code[..usingsEnd].TrimEnd('\n')}\n#line hidden\n" : "";
        return $"{usings}public {modifier} class Snippet\n{{\n#line {restStartLine} \"learner.cs\"\n{rest}\n}}\n";
    }

    private static int LearnerLine(Location location, bool wrapped)
    {
        var mapped = location.GetMappedLineSpan();
        if (!wrapped)
        {
            return mapped.StartLinePosition.Line + 1;
        }
        // Outside the learner's lines (the class that holds them): no line of theirs.
        return mapped.HasMappedPath ? mapped.StartLinePosition.Line + 1 : 0;
    }

    private static bool HasMain(string code) =>
        CSharpSyntaxTree.ParseText(code, Parse).GetCompilationUnitRoot().DescendantNodes().OfType<MethodDeclarationSyntax>()
            .Any(m => m.Identifier.Text == "Main" && m.Modifiers.Any(SyntaxKind.StaticKeyword));
}
