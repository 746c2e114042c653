using CodeMentor.Core.Tutoring.Exercises;
using CodeMentor.Core.Tutoring.Exercises.Guard;
using CodeMentor.Tests.Support;
using Xunit.Abstractions;

namespace CodeMentor.Tests.Quality;

public sealed class DebugProbe(ITestOutputHelper output)
{
    [Fact]
    public void Debug()
    {
        var id = Environment.GetEnvironmentVariable("PROBE_ID") ?? "js-roman";
        var e = LeakGuardRedTeam.Load().Single(x => x.Id == id);
        var lang = CodeLanguages.Parse(e.Language);
        foreach (var st in CodeFingerprint.Of([e.Solution], lang).Statements) output.WriteLine("SOL " + CodeFingerprint.Key(st));
        foreach (var st in CodeFingerprint.Of([e.Attempt], lang).Statements) output.WriteLine("ATT " + CodeFingerprint.Key(st));
        var kind = Environment.GetEnvironmentVariable("PROBE_KIND") ?? "verbatim";
        var s = LeakGuardRedTeam.Samples([e]).First(x => x.Kind == kind && x.Wrapper == "plain");
        foreach (var seg in ReplyCode.Extract(s.Reply, lang)) output.WriteLine("SEG " + seg.Inline + " " + seg.Code.Replace("\n", "⏎"));
        var v = SolutionLeakGuard.Check(s.Reply, new LeakGuardContext(e.Solution, e.Language, e.Starter, e.Attempt));
        output.WriteLine(v.ToString());
    }
}
