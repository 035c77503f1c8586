using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace StepAudio.Engine.Tests.Parity;

/// <summary>
/// A NumPy <c>.npy</c> array of any rank, as the exporter's reference vectors are written: little-endian
/// float32, float64, int64 or int32, C order. Floats are kept as float32, integers as int64.
/// </summary>
internal sealed class NpyArray
{
    private NpyArray(string path, string dtype, int[] shape, float[]? floats, long[]? integers)
    {
        Path = path;
        DType = dtype;
        Shape = shape;
        Floats = floats;
        Integers = integers;
    }

    public string Path { get; }

    /// <summary>The descriptor as written, e.g. <c>&lt;f4</c>.</summary>
    public string DType { get; }

    public int[] Shape { get; }

    public float[]? Floats { get; }

    public long[]? Integers { get; }

    public bool IsInteger => Integers is not null;

    public int Length => Shape.Aggregate(1, (a, b) => a * b);

    public long[] LongShape => Shape.Select(d => (long)d).ToArray();

    public float[] AsFloats() => Floats ?? throw new InvalidDataException($"{Path}: {DType} is not a float array.");

    public long[] AsLongs() => Integers ?? throw new InvalidDataException($"{Path}: {DType} is not an integer array.");

    public int[] AsInts() => AsLongs().Select(v => checked((int)v)).ToArray();

    public static NpyArray Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
        {
            throw new InvalidDataException($"{path}: not a .npy file.");
        }

        var major = bytes[6];
        var headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        var headerStart = major == 1 ? 10 : 12;
        var header = Encoding.ASCII.GetString(bytes, headerStart, headerLength);
        var dtype = Field(header, "descr").Trim('\'', '"');
        if (Field(header, "fortran_order") != "False")
        {
            throw new InvalidDataException($"{path}: Fortran order is not supported.");
        }

        var shapeText = Field(header, "shape").Trim('(', ')');
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var count = shape.Aggregate(1, (a, b) => a * b);
        var offset = headerStart + headerLength;
        switch (dtype)
        {
            case "<f4":
                return new NpyArray(path, dtype, shape, Enumerable.Range(0, count).Select(i => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(offset + (i * 4)))).ToArray(), null);
            case "<f8":
                return new NpyArray(path, dtype, shape, Enumerable.Range(0, count).Select(i => (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(offset + (i * 8)))).ToArray(), null);
            case "<i8":
                return new NpyArray(path, dtype, shape, null, Enumerable.Range(0, count).Select(i => BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(offset + (i * 8)))).ToArray());
            case "<i4":
                return new NpyArray(path, dtype, shape, null, Enumerable.Range(0, count).Select(i => (long)BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset + (i * 4)))).ToArray());
            case "|b1":
                return new NpyArray(path, dtype, shape, null, Enumerable.Range(0, count).Select(i => (long)bytes[offset + i]).ToArray());
            default:
                throw new InvalidDataException($"{path}: dtype {dtype} is not supported.");
        }
    }

    private static string Field(string header, string name)
    {
        var key = header.IndexOf($"'{name}'", StringComparison.Ordinal);
        if (key < 0)
        {
            throw new InvalidDataException($"npy header has no '{name}': {header}");
        }

        var start = header.IndexOf(':', key) + 1;
        var end = name == "shape" ? header.IndexOf(')', start) + 1 : header.IndexOf(',', start);
        return header[start..end].Trim();
    }
}
