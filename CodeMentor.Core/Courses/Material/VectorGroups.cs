using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CodeMentor.Core.Courses.Material;

/// <summary>
/// Unit vectors in groups — a passage's own embedding (a group of one), a passage's sentence windows — each group
/// scored by its best member's dot product with a query. <see cref="Top"/> returns exactly what scoring every
/// vector in floats and sorting would (best first, the lower group index first on a tie), but reads a copy of
/// the vectors quantized to 8 bits (a quarter of the bytes: at 10,000 passages the float pass streamed ~69 MB per
/// question and was bound by memory) and rescores in floats only the groups that could be in the top:
/// each quantized score comes with a bound on its error, so a group whose best possible score is below the k-th
/// best certain score cannot be in the top k. Costs a quarter more memory than the floats alone.
/// Written here because no library in use has a widening 8-bit dot product (TensorPrimitives.Dot over
/// sbyte accumulates in sbyte).
/// </summary>
public sealed class VectorGroups
{
    // What the float dot products (TensorPrimitives, ≤ 384 products of numbers below 1) and the float arithmetic
    // of the bounds can differ from exact arithmetic by, with a wide margin: keeps the bounds sound.
    private const float RoundingSlack = 1e-4f;

    private readonly float[] _vectors;
    private readonly int[] _groupStart;
    private readonly int _dimensions;
    private readonly sbyte[] _quantized;
    private readonly float[] _scales;
    private readonly int[] _l1;

    /// <param name="vectors">Row-major, <paramref name="dimensions"/> floats per vector.</param>
    /// <param name="groupStart">Group g is vectors groupStart[g] to groupStart[g + 1] − 1; one entry more than there
    /// are groups, non-decreasing, ending at the number of vectors. A group may not be empty.</param>
    public VectorGroups(float[] vectors, int[] groupStart, int dimensions)
    {
        if (groupStart.Length == 0 || groupStart[0] != 0 || groupStart[^1] * dimensions != vectors.Length)
        {
            throw new ArgumentException("Group starts must run from 0 to the number of vectors.", nameof(groupStart));
        }
        for (var g = 1; g < groupStart.Length; g++)
        {
            if (groupStart[g] <= groupStart[g - 1])
            {
                throw new ArgumentException($"Group {g - 1} is empty or out of order.", nameof(groupStart));
            }
        }
        _vectors = vectors;
        _groupStart = groupStart;
        _dimensions = dimensions;
        var count = groupStart[^1];
        _quantized = new sbyte[vectors.Length];
        _scales = new float[count];
        _l1 = new int[count];
        for (var r = 0; r < count; r++)
        {
            (_scales[r], _l1[r]) = Quantize(Row(r), _quantized.AsSpan(r * dimensions, dimensions));
        }
    }

    /// <summary>Groups in this set.</summary>
    public int Count => _groupStart.Length - 1;

    /// <summary>The exact score of one group: its best member's dot product with <paramref name="query"/>.</summary>
    public float Score(ReadOnlySpan<float> query, int group)
    {
        var best = float.NegativeInfinity;
        for (var r = _groupStart[group]; r < _groupStart[group + 1]; r++)
        {
            best = Math.Max(best, TensorPrimitives.Dot(query, Row(r)));
        }
        return best;
    }

    /// <summary>The <paramref name="k"/> best groups for <paramref name="query"/>, best first; on equal scores
    /// the lower index first.</summary>
    public int[] Top(ReadOnlySpan<float> query, int k)
    {
        if (k <= 0 || Count == 0)
        {
            return [];
        }
        var queryQuantized = new short[_dimensions];
        var (queryScale, queryL1) = QuantizeQuery(query, queryQuantized);

        // Per group, the best score it can have (upper) and the best it certainly has (lower).
        var lower = new float[Count];
        var upper = new float[Count];
        for (var g = 0; g < Count; g++)
        {
            float low = float.NegativeInfinity, high = float.NegativeInfinity;
            for (var r = _groupStart[g]; r < _groupStart[g + 1]; r++)
            {
                var scale = queryScale * _scales[r];
                var estimate = Dot(queryQuantized, _quantized.AsSpan(r * _dimensions, _dimensions)) * scale;
                // q·x = sq·sx·(q8·x8) + sq·q8·ex + sx·x8·eq + eq·ex, with |eq| ≤ sq/2 and |ex| ≤ sx/2 per component.
                var error = scale * (queryL1 + _l1[r] + _dimensions / 2f) / 2 + RoundingSlack;
                low = Math.Max(low, estimate - error);
                high = Math.Max(high, estimate + error);
            }
            lower[g] = low;
            upper[g] = high;
        }

        var threshold = Count <= k ? float.NegativeInfinity : KthLargest(lower, k);
        var candidates = new List<(int Group, float Score)>();
        for (var g = 0; g < Count; g++)
        {
            if (upper[g] >= threshold)
            {
                candidates.Add((g, Score(query, g)));
            }
        }
        candidates.Sort((a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Group.CompareTo(b.Group));
        return candidates.Take(k).Select(c => c.Group).ToArray();
    }

    private ReadOnlySpan<float> Row(int r) => _vectors.AsSpan(r * _dimensions, _dimensions);

    /// <summary>Symmetric quantization to −127…127 with one scale per vector (its largest magnitude / 127), and the
    /// quantized vector's L1 norm for the error bound.</summary>
    private static (float Scale, int L1) Quantize(ReadOnlySpan<float> vector, Span<sbyte> into)
    {
        var largest = TensorPrimitives.MaxMagnitude(vector);
        var max = Math.Abs(largest);
        if (max == 0 || !float.IsFinite(max))
        {
            into.Clear();
            return (0, 0);
        }
        var scale = max / 127;
        var l1 = 0;
        for (var i = 0; i < vector.Length; i++)
        {
            var q = (int)MathF.Round(vector[i] / scale);
            into[i] = (sbyte)Math.Clamp(q, -127, 127);
            l1 += Math.Abs((int)into[i]);
        }
        return (scale, l1);
    }

    private static (float Scale, int L1) QuantizeQuery(ReadOnlySpan<float> query, Span<short> into)
    {
        var bytes = new sbyte[query.Length];
        var (scale, l1) = Quantize(query, bytes);
        for (var i = 0; i < bytes.Length; i++)
        {
            into[i] = bytes[i];
        }
        return (scale, l1);
    }

    private static float KthLargest(float[] values, int k)
    {
        // The k largest so far in ascending order; most values fall below the smallest and cost one comparison.
        var best = new float[k];
        Array.Fill(best, float.NegativeInfinity);
        foreach (var value in values)
        {
            if (value <= best[0])
            {
                continue;
            }
            var at = 0;
            while (at + 1 < k && best[at + 1] < value)
            {
                best[at] = best[at + 1];
                at++;
            }
            best[at] = value;
        }
        return best[0];
    }

    /// <summary>The dot product of a query widened to 16 bits and a quantized vector, in 32-bit integers (exact: at
    /// most 384 · 127 · 127).</summary>
    internal static int Dot(ReadOnlySpan<short> query, ReadOnlySpan<sbyte> vector)
    {
        if (Avx2.IsSupported && vector.Length % 16 == 0)
        {
            ref var q = ref MemoryMarshal.GetReference(query);
            ref var v = ref MemoryMarshal.GetReference(vector);
            var sum = Vector256<int>.Zero;
            for (var i = 0; i < vector.Length; i += 16)
            {
                var widened = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref v, (nuint)i));
                sum += Avx2.MultiplyAddAdjacent(widened, Vector256.LoadUnsafe(ref q, (nuint)i));
            }
            return Vector256.Sum(sum);
        }
        return DotPortable(query, vector);
    }

    /// <summary>The same product without AVX2 (ARM, older x64): 128-bit vectors where accelerated, else one by one.
    /// |products| ≤ 127², so they fit 16 bits before widening to add.</summary>
    internal static int DotPortable(ReadOnlySpan<short> query, ReadOnlySpan<sbyte> vector)
    {
        var i = 0;
        var total = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            ref var q = ref MemoryMarshal.GetReference(query);
            ref var v = ref MemoryMarshal.GetReference(vector);
            var sum = Vector128<int>.Zero;
            for (; i + 16 <= vector.Length; i += 16)
            {
                var (low, high) = Vector128.Widen(Vector128.LoadUnsafe(ref v, (nuint)i));
                var (a, b) = Vector128.Widen(low * Vector128.LoadUnsafe(ref q, (nuint)i));
                var (c, d) = Vector128.Widen(high * Vector128.LoadUnsafe(ref q, (nuint)i + 8));
                sum += a + b + c + d;
            }
            total = Vector128.Sum(sum);
        }
        for (; i < vector.Length; i++)
        {
            total += query[i] * vector[i];
        }
        return total;
    }
}
