using System.Numerics.Tensors;

namespace CodeMentor.Core.Courses;

/// <summary>
/// Groups questions by topic from their MiniLM embeddings: average-linkage agglomerative clustering, merging the two
/// closest groups while their average cosine similarity is at least <see cref="SameTopic"/>. Order-independent, and
/// needs no number of topics up front. Cubic in the number of questions, so callers pass at most a few hundred.
/// </summary>
public static class QuestionTopics
{
    /// <summary>Average cosine similarity at which two groups of questions are one topic; set before measuring
    /// (docs/tutoring-quality.md has what it gives on the tutorial question set).</summary>
    public const float SameTopic = 0.5f;

    /// <returns>Groups of indexes into <paramref name="vectors"/> (unit length), each question in exactly one.</returns>
    public static List<List<int>> Cluster(IReadOnlyList<float[]> vectors)
    {
        var n = vectors.Count;
        // sum[a, b]: the sum of similarities between the members of groups a and b.
        var sum = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                sum[i, j] = sum[j, i] = TensorPrimitives.Dot(vectors[i], vectors[j]);
            }
        }
        var members = Enumerable.Range(0, n).Select(i => new List<int> { i }).ToList();
        var alive = Enumerable.Repeat(true, n).ToArray();
        while (true)
        {
            var (bestA, bestB, best) = (-1, -1, double.MinValue);
            for (var a = 0; a < n; a++)
            {
                if (!alive[a])
                {
                    continue;
                }
                for (var b = a + 1; b < n; b++)
                {
                    if (alive[b] && sum[a, b] / (members[a].Count * members[b].Count) is var average && average > best)
                    {
                        (bestA, bestB, best) = (a, b, average);
                    }
                }
            }
            if (bestA < 0 || best < SameTopic)
            {
                break;
            }
            for (var c = 0; c < n; c++)
            {
                sum[bestA, c] += sum[bestB, c];
                sum[c, bestA] = sum[bestA, c];
            }
            members[bestA].AddRange(members[bestB]);
            alive[bestB] = false;
        }
        return Enumerable.Range(0, n).Where(i => alive[i]).Select(i => members[i]).ToList();
    }
}
