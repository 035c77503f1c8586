using System.Numerics.Tensors;

namespace StepAudio.Engine.Tokenizer;

/// <summary>
/// vq02's k-means codebook (1024 x 512): every encoder frame becomes the index of its nearest
/// centroid, Euclidean in float32. argmin ||c - x||^2 = argmin (||c||^2 - 2 c.x): the centroid
/// norms are computed once, so a frame costs 1024 vectorised dot products and no allocation.
/// Ties go to the lower index, as torch's argmin does.
/// </summary>
internal sealed class LinguisticCodebook
{
    private readonly float[] _centroids;
    private readonly float[] _norms;

    public LinguisticCodebook(float[] centroids, int count, int dimension)
    {
        if (centroids.Length != count * dimension)
        {
            throw new ArgumentException($"{centroids.Length} values do not make {count} centroids of {dimension}.", nameof(centroids));
        }

        _centroids = centroids;
        Count = count;
        Dimension = dimension;
        _norms = new float[count];
        for (var c = 0; c < count; c++)
        {
            var row = Row(c);
            _norms[c] = TensorPrimitives.Dot(row, row);
        }
    }

    public int Count { get; }

    public int Dimension { get; }

    /// <summary>Reads <c>linguistic_tokenizer.npy</c> and checks its shape.</summary>
    /// <exception cref="NpyFormatException">The file is not a 1024 x 512 float32 matrix.</exception>
    public static LinguisticCodebook Load(string path, int count, int dimension)
    {
        var (values, rows, columns) = NpyFloatMatrix.Read(path);
        if (rows != count || columns != dimension)
        {
            throw new NpyFormatException($"{path}: shape ({rows}, {columns}), expected ({count}, {dimension}).");
        }

        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw new NpyFormatException($"{path}: value {i} (row {i / columns}) is not finite.");
            }
        }

        return new LinguisticCodebook(values, rows, columns);
    }

    /// <summary>The index of the centroid nearest <paramref name="frame"/>.</summary>
    public int Nearest(ReadOnlySpan<float> frame)
    {
        var best = 0;
        var bestDistance = float.PositiveInfinity;
        for (var c = 0; c < Count; c++)
        {
            var distance = _norms[c] - (2f * TensorPrimitives.Dot(Row(c), frame));
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = c;
            }
        }

        return best;
    }

    private ReadOnlySpan<float> Row(int c) => _centroids.AsSpan(c * Dimension, Dimension);
}
