using System.Globalization;
using System.Text;

namespace StepAudio.ContractModels.Tokenizer;

/// <summary>
/// Writes the tokenizer's contract models into a model directory laid out as
/// engine/models/CONTRACT.md describes: <c>vq02/encoder.onnx</c>, <c>vq02/am.mvn</c>,
/// <c>vq02/linguistic_tokenizer.npy</c> and <c>vq06/speech_tokenizer_v1.onnx</c>.
/// Deterministic: the same bytes on every run.
/// </summary>
public static class TokenizerContractModels
{
    /// <summary>Codebook rows (vq02 vocabulary).</summary>
    public const int CodebookSize = 1024;

    /// <summary>Codebook row width (the encoder's output width).</summary>
    public const int CodebookDim = 512;

    /// <summary>Writes all four files under <paramref name="directory"/>.</summary>
    public static void WriteAll(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var vq02 = Directory.CreateDirectory(Path.Combine(directory, "vq02")).FullName;
        var vq06 = Directory.CreateDirectory(Path.Combine(directory, "vq06")).FullName;
        File.WriteAllBytes(Path.Combine(vq02, "encoder.onnx"), Vq02EncoderContractModel.Build());
        File.WriteAllText(Path.Combine(vq02, "am.mvn"), AmMvnText());
        WriteNpy(Path.Combine(vq02, "linguistic_tokenizer.npy"), Codebook(), CodebookSize, CodebookDim);
        File.WriteAllBytes(Path.Combine(vq06, "speech_tokenizer_v1.onnx"), Vq06TokenizerContractModel.Build());
    }

    /// <summary>
    /// A 560-d CMVN in FunASR's layout. The shift and scale bring 16-bit-scale log fbank values
    /// (about 0 to 20) near zero mean and unit range, as the real file does.
    /// </summary>
    public static string AmMvnText()
    {
        const int dim = 560;
        var text = new StringBuilder();
        text.Append("<Nnet>\n<Splice> 560 560\n[ 0 ]\n<AddShift> 560 560\n<LearnRateCoef> 0 [");
        for (var i = 0; i < dim; i++)
        {
            text.Append(' ').Append((-(9.0 + ((i % 80) * 0.04))).ToString("R", CultureInfo.InvariantCulture));
        }

        text.Append(" ]\n<Rescale> 560 560\n<LearnRateCoef> 0 [");
        for (var i = 0; i < dim; i++)
        {
            text.Append(' ').Append((0.2 + ((i % 7) * 0.01)).ToString("R", CultureInfo.InvariantCulture));
        }

        text.Append(" ]\n</Nnet>\n");
        return text.ToString();
    }

    /// <summary>A deterministic 1024 x 512 codebook, uniform in [-1, 1).</summary>
    public static float[] Codebook()
    {
        var values = new float[CodebookSize * CodebookDim];
        var state = 0x9E3779B97F4A7C15UL;
        for (var i = 0; i < values.Length; i++)
        {
            // xorshift64*: fixed, portable, no dependence on System.Random's algorithm.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            var bits = (state * 0x2545F4914F6CDD1DUL) >> 40;
            values[i] = (float)((bits / (double)(1UL << 24) * 2.0) - 1.0);
        }

        return values;
    }

    /// <summary>Writes a little-endian float32 C-order matrix as a NumPy .npy (format version 1.0).</summary>
    public static void WriteNpy(string path, ReadOnlySpan<float> values, int rows, int columns)
    {
        if (values.Length != rows * columns)
        {
            throw new ArgumentException($"{values.Length} values do not fill {rows} x {columns}.", nameof(values));
        }

        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {columns}), }}";
        var unpadded = 10 + header.Length + 1;
        header = header.PadRight(header.Length + ((64 - (unpadded % 64)) % 64)) + "\n";
        using var stream = File.Create(path);
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y']);
        stream.WriteByte(1);
        stream.WriteByte(0);
        var headerBytes = Encoding.ASCII.GetBytes(header);
        stream.WriteByte((byte)(headerBytes.Length & 0xFF));
        stream.WriteByte((byte)(headerBytes.Length >> 8));
        stream.Write(headerBytes);
        stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
    }
}
