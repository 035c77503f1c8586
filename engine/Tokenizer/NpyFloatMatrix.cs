using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace StepAudio.Engine.Tokenizer;

/// <summary>A <c>.npy</c> file is not the float32 matrix the tokenizer expects.</summary>
public sealed class NpyFormatException : FormatException
{
    public NpyFormatException()
    {
    }

    public NpyFormatException(string message)
        : base(message)
    {
    }

    public NpyFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Reads a NumPy <c>.npy</c> (format 1.0, 2.0, 3.0) holding a C-order little-endian float32 matrix.</summary>
internal static partial class NpyFloatMatrix
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads the matrix; the message of any <see cref="NpyFormatException"/> names the file and the field.</summary>
    public static (float[] Values, int Rows, int Columns) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
        {
            throw new NpyFormatException($"{path}: not a .npy file (the magic string \\x93NUMPY is missing).");
        }

        var major = bytes[6];
        int headerLength;
        int headerStart;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
                headerStart = 10;
                break;
            case 2 or 3 when bytes.Length >= 12:
                headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
                headerStart = 12;
                break;
            default:
                throw new NpyFormatException($"{path}: unsupported .npy format version {major}.{bytes[7]} (1.0, 2.0 and 3.0 are read).");
        }

        if (headerStart + headerLength > bytes.Length)
        {
            throw new NpyFormatException($"{path}: the header claims {headerLength} bytes but the file has {bytes.Length - headerStart} after the preamble.");
        }

        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes, headerStart, headerLength);
        var descr = DescrPattern().Match(header);
        if (!descr.Success)
        {
            throw new NpyFormatException($"{path}: the header has no 'descr' (header: {header.Trim()}).");
        }

        if (descr.Groups[1].Value != "<f4")
        {
            throw new NpyFormatException($"{path}: dtype is '{descr.Groups[1].Value}', expected '<f4' (little-endian float32).");
        }

        var fortran = FortranPattern().Match(header);
        if (!fortran.Success || fortran.Groups[1].Value != "False")
        {
            throw new NpyFormatException($"{path}: 'fortran_order' must be False (C order), header: {header.Trim()}.");
        }

        var shape = ShapePattern().Match(header);
        if (!shape.Success)
        {
            throw new NpyFormatException($"{path}: 'shape' must be a two-dimensional (rows, columns), header: {header.Trim()}.");
        }

        var rows = int.Parse(shape.Groups[1].Value, CultureInfo.InvariantCulture);
        var columns = int.Parse(shape.Groups[2].Value, CultureInfo.InvariantCulture);
        var dataStart = headerStart + headerLength;
        var expectedBytes = (long)rows * columns * sizeof(float);
        if (bytes.Length - dataStart != expectedBytes)
        {
            throw new NpyFormatException($"{path}: shape ({rows}, {columns}) needs {expectedBytes} data bytes, the file has {bytes.Length - dataStart}.");
        }

        var values = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(dataStart)).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Reading .npy float32 on a big-endian machine is not supported.");
        }

        return (values, rows, columns);
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(\s*(\d+)\s*,\s*(\d+)\s*,?\s*\)")]
    private static partial Regex ShapePattern();
}
