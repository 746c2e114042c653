namespace CodeMentor.Core.Prompts;

/// <summary>Wraps untrusted text (a learner's code, an attempt) as data: in a fence longer than
/// any run of backticks inside it, so the text cannot close the fence and speak as instructions.</summary>
internal static class CodeFence
{
    public static string Wrap(string text, string language = "")
    {
        var longest = 0;
        var run = 0;
        foreach (var c in text)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        var fence = new string('`', Math.Max(3, longest + 1));
        return $"{fence}{language}\n{text}\n{fence}";
    }
}
