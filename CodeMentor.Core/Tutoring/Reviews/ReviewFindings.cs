using System.Text;
using System.Text.RegularExpressions;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace CodeMentor.Core.Tutoring.Reviews;

/// <summary>One issue a review reported: its severity (High, Medium or Low; null when the reply gave none) and its text
/// as prose, without line numbers, the severity or inline code (which holds the learner's own names).</summary>
public sealed record ReviewFinding(string? Severity, string Text);

/// <summary>
/// The issues a review reply lists under its "Issues" heading (the layout the review template asks for), read from the
/// Markdown tree rather than by pattern so the ways models lay them out all count: a severity as a sub-heading, a bold
/// line or the start of each item; items as list entries, paragraphs or rows of a table with a severity column.
/// </summary>
public static partial class ReviewFindings
{
    /// <summary>The severities, highest first.</summary>
    public static readonly System.Collections.Immutable.ImmutableArray<string> Severities = ["High", "Medium", "Low"];

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().DisableHtml().UsePipeTables().Build();

    public static IReadOnlyList<ReviewFinding> Extract(string reply)
    {
        var document = Markdig.Markdown.Parse(reply ?? "", Pipeline);
        var findings = new List<ReviewFinding>();
        var issues = document.OfType<HeadingBlock>().FirstOrDefault(h => IssuesHeading().IsMatch(PlainText(h.Inline)));
        if (issues is null)
        {
            return findings;
        }
        string? severity = null;
        foreach (var block in document.Skip(document.IndexOf(issues) + 1))
        {
            if (block is HeadingBlock heading)
            {
                if (heading.Level <= issues.Level)
                {
                    break; // the next section
                }
                severity = SeverityOf(PlainText(heading.Inline)).Severity ?? severity;
                continue;
            }
            Read(block, ref severity, findings);
        }
        return findings;
    }

    private static void Read(Block block, ref string? severity, List<ReviewFinding> findings)
    {
        switch (block)
        {
            case ParagraphBlock paragraph:
                // A paragraph of several lines may hold several issues ("**High** – line 1: …" on each line).
                foreach (var line in LinesOf(paragraph.Inline))
                {
                    Add(line, ref severity, findings, labelSetsSeverity: true);
                }
                break;
            case ListBlock list:
                foreach (var item in list.OfType<ListItemBlock>())
                {
                    var first = item.OfType<ParagraphBlock>().FirstOrDefault();
                    var text = first is null ? "" : PlainText(first.Inline);
                    var nested = item.OfType<ListBlock>().ToList();
                    if (nested.Count > 0 && SeverityOf(text) is { Severity: { } label, Remainder: var rest } && Words().Matches(rest).Count < 2)
                    {
                        // "- **High**" with the issues as its sub-items.
                        var itemSeverity = label;
                        foreach (var inner in nested)
                        {
                            Read(inner, ref itemSeverity, findings);
                        }
                        continue;
                    }
                    Add(text, ref severity, findings, labelSetsSeverity: false);
                }
                break;
            case Table table:
                ReadTable(table, severity, findings);
                break;
            case QuoteBlock quote:
                foreach (var inner in quote)
                {
                    Read(inner, ref severity, findings);
                }
                break;
        }
    }

    private static void ReadTable(Table table, string? severity, List<ReviewFinding> findings)
    {
        var rows = table.OfType<TableRow>().ToList();
        if (rows.Count == 0 || !rows[0].IsHeader)
        {
            return;
        }
        var headers = rows[0].OfType<TableCell>().Select(c => CellText(c).ToLowerInvariant()).ToList();
        var severityColumn = headers.FindIndex(h => h.Contains("severity", StringComparison.Ordinal) || h.Contains("priority", StringComparison.Ordinal));
        var issueColumn = headers.FindIndex(h => IssueColumn().IsMatch(h));
        if (issueColumn < 0)
        {
            return;
        }
        foreach (var row in rows.Skip(1))
        {
            var cells = row.OfType<TableCell>().Select(CellText).ToList();
            if (issueColumn >= cells.Count)
            {
                continue;
            }
            var rowSeverity = severityColumn >= 0 && severityColumn < cells.Count ? SeverityOf(cells[severityColumn]).Severity ?? severity : severity;
            AddFinding(rowSeverity, cells[issueColumn], findings);
        }
    }

    private static void Add(string text, ref string? severity, List<ReviewFinding> findings, bool labelSetsSeverity)
    {
        var (label, rest) = SeverityOf(text);
        if (label is not null && Words().Matches(rest).Count < 2)
        {
            if (labelSetsSeverity)
            {
                severity = label; // "**High**" or "High severity:" on a line of its own heads the issues after it
            }
            return;
        }
        AddFinding(label ?? severity, label is null ? text : rest, findings);
    }

    private static void AddFinding(string? severity, string text, List<ReviewFinding> findings)
    {
        var prose = Tidy(text);
        if (Words().Matches(prose).Count >= 2 && !NoIssues().IsMatch(prose))
        {
            findings.Add(new ReviewFinding(severity, prose));
        }
    }

    /// <summary>The severity a text starts with ("**High** – …", "High: …", "[Low] …", "Medium severity — …") and the rest.</summary>
    private static (string? Severity, string Remainder) SeverityOf(string text)
    {
        var match = LeadingSeverity().Match(text);
        if (!match.Success)
        {
            return (null, text);
        }
        var word = match.Groups["word"].Value.ToLowerInvariant();
        var severity = word switch
        {
            "high" or "critical" or "major" or "severe" => "High",
            "medium" or "moderate" => "Medium",
            _ => "Low",
        };
        return (severity, text[match.Length..]);
    }

    /// <summary>An issue's words: line references, leading punctuation and spare whitespace gone.</summary>
    private static string Tidy(string text)
    {
        var tidy = LineReference().Replace(text, " ");
        tidy = Spaces().Replace(tidy, " ").Trim();
        tidy = SpaceBeforePunctuation().Replace(tidy, "$1"); // "empty (line 3)." loses its reference, not its full stop
        return tidy.TrimStart(':', '-', '–', '—', '.', ',', ')', ' ').Trim();
    }

    private static IEnumerable<string> LinesOf(ContainerInline? inline)
    {
        var line = new StringBuilder();
        foreach (var child in inline ?? Enumerable.Empty<Inline>())
        {
            if (child is LineBreakInline)
            {
                yield return line.ToString();
                line.Clear();
                continue;
            }
            Append(child, line);
        }
        yield return line.ToString();
    }

    private static string CellText(TableCell cell) =>
        string.Join(" ", cell.OfType<ParagraphBlock>().Select(p => PlainText(p.Inline)));

    /// <summary>The inline's text, with inline code left out: it holds the learner's own names, not the issue.</summary>
    private static string PlainText(ContainerInline? inline)
    {
        var text = new StringBuilder();
        foreach (var child in inline ?? Enumerable.Empty<Inline>())
        {
            Append(child, text);
        }
        return text.ToString();
    }

    private static void Append(Inline inline, StringBuilder text)
    {
        switch (inline)
        {
            case LiteralInline literal:
                text.Append(literal.Content.ToString());
                break;
            case CodeInline:
                text.Append(" … ");
                break;
            case LineBreakInline:
                text.Append(' ');
                break;
            case ContainerInline container:
                foreach (var child in container)
                {
                    Append(child, text);
                }
                break;
        }
    }

    [GeneratedRegex(@"^[^\p{L}]*(issues?|problems?|findings?)\b", RegexOptions.IgnoreCase)]
    private static partial Regex IssuesHeading();

    // Anything before the word that is not a letter or digit: an emoji, a bracket, list punctuation.
    [GeneratedRegex(@"^[^\p{L}\p{N}]*(?<word>high|medium|low|critical|major|minor|moderate|severe)\b\s*(severity|priority)?\s*[\])]?\s*[:–—-]?\s*", RegexOptions.IgnoreCase)]
    private static partial Regex LeadingSeverity();

    [GeneratedRegex(@"\(?\b(on\s+)?lines?\s+\d+(\s*(?:[-–—,]|and|to)\s*\d+)*\b\)?\s*[:–—-]?", RegexOptions.IgnoreCase)]
    private static partial Regex LineReference();

    [GeneratedRegex(@"issue|problem|finding|description|what", RegexOptions.IgnoreCase)]
    private static partial Regex IssueColumn();

    [GeneratedRegex(@"^(none|no (issues?|problems?)( found)?|nothing( found)?)\b", RegexOptions.IgnoreCase)]
    private static partial Regex NoIssues();

    // Words of three letters or more: an issue says at least two (markup left as text, "<table><tr>", says none).
    [GeneratedRegex(@"\p{L}{3,}")]
    private static partial Regex Words();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"\s+([.,;:!?])")]
    private static partial Regex SpaceBeforePunctuation();
}
