using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace StepAudio.Appliance.Cli;

/// <summary>
/// Writes a C-order little-endian float32 matrix as a NumPy <c>.npy</c> file (format 1.0), so
/// features can be compared with any reference: <c>numpy.load(path)</c> gives shape (rows, columns).
/// </summary>
internal static class NpyWriter
{
    // The NPY format pads the preamble and header to a multiple of 64 bytes so the data is aligned.
    private const int Alignment = 64;
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0];

    /// <summary>Writes <paramref name="values"/> (row-major, <paramref name="rows"/> x <paramref name="columns"/>) to <paramref name="path"/>.</summary>
    public static void Write(string path, ReadOnlySpan<float> values, int rows, int columns)
    {
        CheckShape(values, rows, columns);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        Write(file, values, rows, columns);
    }

    /// <summary>Writes the matrix to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, ReadOnlySpan<float> values, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(stream);
        CheckShape(values, rows, columns);
        stream.Write(Header(rows, columns));
        var buffer = new byte[sizeof(float) * 4096];
        for (var start = 0; start < values.Length; start += buffer.Length / sizeof(float))
        {
            var block = values.Slice(start, Math.Min(buffer.Length / sizeof(float), values.Length - start));
            for (var i = 0; i < block.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * sizeof(float)), block[i]);
            }

            stream.Write(buffer, 0, block.Length * sizeof(float));
        }
    }

    /// <summary>The magic string, the version, the header length and the header dictionary, padded to 64 bytes.</summary>
    internal static byte[] Header(int rows, int columns)
    {
        var dictionary = string.Create(CultureInfo.InvariantCulture, $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {columns}), }}");
        var unpadded = Magic.Length + sizeof(ushort) + dictionary.Length + 1;
        var padding = (Alignment - (unpadded % Alignment)) % Alignment;
        var text = dictionary + new string(' ', padding) + "\n";
        var header = new byte[Magic.Length + sizeof(ushort) + text.Length];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(Magic.Length), checked((ushort)text.Length));
        Encoding.ASCII.GetBytes(text, header.AsSpan(Magic.Length + sizeof(ushort)));
        return header;
    }

    private static void CheckShape(ReadOnlySpan<float> values, int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if ((long)rows * columns != values.Length)
        {
            throw new ArgumentException($"A ({rows}, {columns}) matrix has {(long)rows * columns} values, got {values.Length}.", nameof(values));
        }
    }
}
