using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace CodeMentor.Tests.EndToEnd;

/// <summary>A fake Groq that answers each feature in its own format (recognised by its system
/// prompt), as the real model would: reviews, exercises, hints, concept explanations, chat.</summary>
public static class TutoringFake
{
    public const string Review = "## Summary\nA small program that prints a number.\n\n## Issues\n**High** – line 1: a semicolon is missing.\n\n## Suggestions\n- Add the semicolon.\n\n## What to learn next\nStatements and expressions.";
    public const string Hint = "Look at what `n % 2` tells you about each number.";

    /// <summary>A chat reply with what stretches a layout: a list, a link, a table and a code block with a long line.</summary>
    public const string Chat = "Here is how a loop works:\n\n- it checks a condition\n- it runs the body\n\nSee [the Python tutorial](https://docs.python.org/3/tutorial/).\n\n" +
        "| Loop | Use |\n|---|---|\n| for | known items |\n| while | until a change |\n\n" +
        "```python\ntotal = sum(value for value in a_rather_long_list_of_values_that_goes_on_and_on if value % 2 == 0 and value > 100)\nprint(total)\n```\n\nThat is the whole idea.";

    public static readonly string Exercise = JsonSerializer.Serialize(new
    {
        title = "Sum the even numbers",
        statement = "Return the sum of the **even** numbers in a list.",
        starterCode = "def sum_even(numbers):\n    # TODO\n    pass\n",
        examples = new[] { new { input = "[1, 2, 3, 4]", output = "6" } },
        referenceSolution = "def sum_even(numbers):\n    return sum(n for n in numbers if n % 2 == 0)\n",
    });

    public static async Task Respond(HttpContext context)
    {
        var system = (string?)FakeGroqServer.RequestOf(context)["messages"]![0]!["content"] ?? "";
        var reply = system.Contains("reviewing code", StringComparison.Ordinal) ? Review
            : system.Contains("You write programming exercises", StringComparison.Ordinal) ? Exercise
            : system.Contains("ONE hint", StringComparison.Ordinal) ? Hint
            : Chat;
        await FakeGroqServer.Reply(GroqStream.Reply(reply, pieceLength: 12), TimeSpan.FromMilliseconds(20))(context);
    }
}
