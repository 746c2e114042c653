using System.Text.Json;
using Microsoft.Extensions.AI;

namespace CodeMentor.Core.Courses.Material;

/// <summary>A passage a reply may cite as [Number]; the link opens it (for the course's members only).</summary>
public sealed record CourseSource(int Number, long PassageId, Guid CourseId, string Title, string Section, int? Page)
{
    public string Href => $"courses/{CourseId}/material/passages/{PassageId}";

    /// <summary>"5. Data Structures — 5.1. More on Lists › 5.1.1. Using Lists as Stacks", ", page 3" for a PDF; the
    /// document's own title is not repeated when it heads the section.</summary>
    public string Describe()
    {
        var section = Section == Title ? "" : Section.StartsWith(Title + MaterialSplitter.SectionSeparator, StringComparison.Ordinal) ? Section[(Title.Length + MaterialSplitter.SectionSeparator.Length)..] : Section;
        return Title + (section.Length > 0 ? " — " + section : "") + (Page is { } page ? $", page {page}" : "");
    }
}

/// <summary>
/// What the course material said about a question, as the first item of a reply's stream: the passages the
/// tutor was given to cite, or that the material does not cover the question. Saved with the reply
/// (<see cref="ToJson"/>), so the thread shows its sources after a reload.
/// </summary>
public sealed class CourseSourcesContent(IReadOnlyList<CourseSource> sources, bool covered) : AIContent
{
    public IReadOnlyList<CourseSource> Sources { get; } = sources;

    /// <summary>False when the course has material but none of it is about the question.</summary>
    public bool Covered { get; } = covered;

    private sealed record Stored(IReadOnlyList<CourseSource> Sources, bool Covered);

    public string ToJson() => JsonSerializer.Serialize(new Stored(Sources, Covered));

    public static CourseSourcesContent? FromJson(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<Stored>(json) is { } stored ? new(stored.Sources ?? [], stored.Covered) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
