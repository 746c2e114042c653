using System.Numerics.Tensors;
using CodeMentor.Core.Courses.Material;
using CsCheck;

namespace CodeMentor.Tests.Unit;

/// <summary>The quantized shortlist must give exactly the ranking of scoring every vector in floats, including on
/// near-duplicates and exact ties, where an 8-bit estimate alone would misorder.</summary>
public sealed class VectorGroupsTests
{
    private sealed record Case(int Dimensions, float[] Vectors, int[] GroupStart, float[] Query, int K)
    {
        public override string ToString() => $"{GroupStart.Length - 1} groups of {Dimensions} dimensions, k = {K}";
    }

    /// <summary>Random unit vectors in random groups; a third of them near-copies (1e-3 apart) or exact copies of an
    /// earlier one; the query random or near one of the vectors.</summary>
    private static readonly Gen<Case> Cases =
        Gen.Select(Gen.Int[1, 80], Gen.Int[1, 30], Gen.Int[0, 2].Select(i => new[] { 16, 20, 384 }[i]), Gen.Int, (groups, k, dimensions, seed) =>
        {
            var random = new Random(seed);
            float[] Unit(float[] v)
            {
                var norm = TensorPrimitives.Norm(v);
                return v.Select(x => x / norm).ToArray();
            }
            float[] Gaussian() => Unit(Enumerable.Range(0, dimensions).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray());
            var vectors = new List<float[]>();
            var groupStart = new List<int> { 0 };
            for (var g = 0; g < groups; g++)
            {
                for (var m = random.Next(1, 5); m > 0; m--)
                {
                    var kind = random.Next(3);
                    vectors.Add(vectors.Count == 0 || kind == 0 ? Gaussian()
                        : kind == 1 ? (float[])vectors[random.Next(vectors.Count)].Clone()
                        : Unit(vectors[random.Next(vectors.Count)].Select(x => x + (float)(random.NextDouble() - 0.5) * 1e-3f).ToArray()));
                }
                groupStart.Add(vectors.Count);
            }
            var query = random.Next(2) == 0 ? Gaussian()
                : Unit(vectors[random.Next(vectors.Count)].Select(x => x + (float)(random.NextDouble() - 0.5) * 0.05f).ToArray());
            return new Case(dimensions, vectors.SelectMany(v => v).ToArray(), groupStart.ToArray(), query, k);
        });

    [Fact]
    public void The_top_groups_are_those_of_scoring_every_vector_in_floats()
    {
        Cases.Sample(c =>
        {
            var groups = new VectorGroups(c.Vectors, c.GroupStart, c.Dimensions);
            var exact = Enumerable.Range(0, c.GroupStart.Length - 1)
                .Select(g => Enumerable.Range(c.GroupStart[g], c.GroupStart[g + 1] - c.GroupStart[g])
                    .Max(r => TensorPrimitives.Dot(c.Query, c.Vectors.AsSpan(r * c.Dimensions, c.Dimensions))))
                .ToArray();
            var expected = Enumerable.Range(0, exact.Length).OrderByDescending(g => exact[g]).Take(c.K).ToArray();
            Assert.Equal(expected, groups.Top(c.Query, c.K));
            Assert.All(expected, g => Assert.Equal(exact[g], groups.Score(c.Query, g)));
        }, iter: 400);
    }

    [Fact]
    public void Both_integer_dot_products_equal_the_plain_sum()
    {
        Gen.Select(Gen.Int[0, 40], Gen.Int, (sixteens, seed) => (sixteens, seed)).Sample(t =>
        {
            var random = new Random(t.seed);
            var length = t.sixteens * 16 + random.Next(0, 2) * random.Next(1, 16);
            var query = Enumerable.Range(0, length).Select(_ => (short)random.Next(-127, 128)).ToArray();
            var vector = Enumerable.Range(0, length).Select(_ => (sbyte)random.Next(-127, 128)).ToArray();
            var expected = query.Zip(vector, (a, b) => a * b).Sum();
            Assert.Equal(expected, VectorGroups.Dot(query, vector));
            Assert.Equal(expected, VectorGroups.DotPortable(query, vector));
        });
    }

    [Fact]
    public void Groups_that_are_empty_or_do_not_cover_the_vectors_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new VectorGroups(new float[32], [0, 1], 16));
        Assert.Throws<ArgumentException>(() => new VectorGroups(new float[32], [0, 0, 2], 16));
        Assert.Empty(new VectorGroups([], [0], 16).Top(new float[16], 5));
    }
}
