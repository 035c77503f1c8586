using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using StepAudio.Appliance.Cli;

namespace StepAudio.Appliance.Tests.Cli;

public sealed partial class NpyWriterTests
{
    [Theory]
    [InlineData(3, 5)]
    [InlineData(1, 80)]
    [InlineData(128, 1)]
    [InlineData(0, 560)]
    [InlineData(1500, 3)]
    public void Write_WhenReadBack_ThenSameShapeAndBits(int rows, int columns)
    {
        var random = new Random(rows + columns);
        var values = new float[rows * columns];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 40) - 20);
        }

        if (values.Length > 2)
        {
            values[0] = float.Epsilon;
            values[1] = -0f;
            values[2] = float.MaxValue;
        }

        using var stream = new MemoryStream();
        NpyWriter.Write(stream, values, rows, columns);

        var (read, readRows, readColumns) = Read(stream.ToArray());
        Assert.Equal((rows, columns), (readRows, readColumns));
        Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), read.Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(7, 560)]
    [InlineData(123456, 80)]
    public void Header_WhenWritten_ThenVersion1AlignedTo64AndNewlineTerminated(int rows, int columns)
    {
        var header = NpyWriter.Header(rows, columns);

        Assert.Equal(0, header.Length % 64);
        Assert.Equal([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0], header[..8]);
        Assert.Equal(header.Length - 10, BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(8)));
        Assert.Equal((byte)'\n', header[^1]);
        Assert.Contains($"'shape': ({rows}, {columns})", Encoding.ASCII.GetString(header), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_WhenValueCountDoesNotMatchShape_ThenThrowsNamingTheShape()
    {
        using var stream = new MemoryStream();

        var error = Assert.Throws<ArgumentException>(() => NpyWriter.Write(stream, new float[10], 3, 4));

        Assert.Contains("(3, 4)", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, stream.Length);
    }

    /// <summary>An independent reader written from the NPY format description (version 1.0, '&lt;f4', C order).</summary>
    internal static (float[] Values, int Rows, int Columns) Read(byte[] bytes)
    {
        Assert.Equal("\u0093NUMPY", Encoding.Latin1.GetString(bytes, 0, 6));
        Assert.Equal(1, bytes[6]);
        var headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        var header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.Matches(@"'descr': '<f4'", header);
        Assert.Matches(@"'fortran_order': False", header);
        var shape = ShapePattern().Match(header);
        Assert.True(shape.Success, header);
        var rows = int.Parse(shape.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var columns = int.Parse(shape.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        var data = bytes.AsSpan(10 + headerLength);
        Assert.Equal(rows * columns * sizeof(float), data.Length);
        var values = new float[rows * columns];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(i * sizeof(float))..]);
        }

        return (values, rows, columns);
    }

    [GeneratedRegex(@"'shape': \((\d+), (\d+)\)")]
    private static partial Regex ShapePattern();
}
