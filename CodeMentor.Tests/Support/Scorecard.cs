using System.Text;

namespace CodeMentor.Tests.Support;

/// <summary>Recall on leaks and false positives on legitimate replies, overall and broken down by
/// kind, wrapping and language: the figures docs/tutoring-quality.md reports.</summary>
public sealed class Scorecard
{
    private readonly List<(RedTeamSample Sample, bool Flagged)> _results = [];

    public static Scorecard Run(IEnumerable<RedTeamSample> samples, Func<RedTeamSample, bool> flags)
    {
        var card = new Scorecard();
        foreach (var sample in samples)
        {
            card._results.Add((sample, flags(sample)));
        }
        return card;
    }

    public int Leaks => _results.Count(r => r.Sample.IsLeak);
    public int Legit => _results.Count(r => !r.Sample.IsLeak);
    public double Recall => Rate(_results.Where(r => r.Sample.IsLeak));
    public double FalsePositiveRate => Rate(_results.Where(r => !r.Sample.IsLeak));

    public IEnumerable<RedTeamSample> Missed => _results.Where(r => r.Sample.IsLeak && !r.Flagged).Select(r => r.Sample);
    public IEnumerable<RedTeamSample> FalsePositives => _results.Where(r => !r.Sample.IsLeak && r.Flagged).Select(r => r.Sample);

    private static double Rate(IEnumerable<(RedTeamSample Sample, bool Flagged)> rows)
    {
        var list = rows.ToList();
        return list.Count == 0 ? 0 : (double)list.Count(r => r.Flagged) / list.Count;
    }

    /// <summary>A Markdown table: caught (leaks) or wrongly blocked (legitimate) per group.</summary>
    public string Table(string title, Func<RedTeamSample, string> groupBy)
    {
        var text = new StringBuilder();
        text.AppendLine($"| {title} | replies | flagged | rate |").AppendLine("|---|---:|---:|---:|");
        foreach (var group in _results.GroupBy(r => (r.Sample.IsLeak, Key: groupBy(r.Sample))).OrderByDescending(g => g.Key.IsLeak).ThenBy(g => g.Key.Key))
        {
            var list = group.ToList();
            var flagged = list.Count(r => r.Flagged);
            text.AppendLine($"| {(group.Key.IsLeak ? "leak" : "legitimate")}: {group.Key.Key} | {list.Count} | {flagged} | {100.0 * flagged / list.Count:0.0}% |");
        }
        return text.ToString();
    }

    public string Summary(string name) =>
        $"{name}: recall {100 * Recall:0.0}% of {Leaks} leaks, false positives {100 * FalsePositiveRate:0.0}% of {Legit} legitimate replies";
}
