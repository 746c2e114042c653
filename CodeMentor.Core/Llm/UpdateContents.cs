using System.Runtime.InteropServices;
using Microsoft.Extensions.AI;

namespace CodeMentor.Core.Llm;

/// <summary>Walking a streamed update's contents without allocating: every stage looks at every
/// update, and a foreach over IList boxes an enumerator each time (a thousand per reply).</summary>
internal static class UpdateContents
{
    public static ReadOnlySpan<AIContent> AsSpanOrList(this IList<AIContent> contents) =>
        contents is List<AIContent> list ? CollectionsMarshal.AsSpan(list) : contents.ToArray();

    /// <summary>Whether the update carries text or reasoning (the first token has arrived).</summary>
    public static bool HasText(this ChatResponseUpdate update)
    {
        foreach (var content in update.Contents.AsSpanOrList())
        {
            if (content is TextContent { Text.Length: > 0 } or TextReasoningContent { Text.Length: > 0 })
            {
                return true;
            }
        }
        return false;
    }
}
