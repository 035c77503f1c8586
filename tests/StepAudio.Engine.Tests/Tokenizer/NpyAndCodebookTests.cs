using System.Text;
using StepAudio.ContractModels.Tokenizer;
using StepAudio.Engine.Tokenizer;
using Xunit;

namespace StepAudio.Engine.Tests.Tokenizer;

public sealed class NpyAndCodebookTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("npy-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Read_WhenVersion1File_ThenReturnsMatrix()
    {
        var path = Path.Combine(_directory, "m.npy");
        TokenizerContractModels.WriteNpy(path, [1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        var (values, rows, columns) = NpyFloatMatrix.Read(path);
        Assert.Equal((2, 3), (rows, columns));
        Assert.Equal(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, values);
    }

    [Fact]
    public void Read_WhenVersion2File_ThenReturnsMatrix()
    {
        var path = Path.Combine(_directory, "v2.npy");
        File.WriteAllBytes(path, NpyBytes(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }", [7f, 8f]));
        Assert.Equal(new[] { 7f, 8f }, NpyFloatMatrix.Read(path).Values);
    }

    [Theory]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", "'<f8'")]
    [InlineData("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 2), }", "fortran_order")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", "shape")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", "16 data bytes")]
    public void Read_WhenHeaderDisagreesWithContract_ThenNpyFormatExceptionNamesTheField(string header, string what)
    {
        var path = Path.Combine(_directory, "bad.npy");
        File.WriteAllBytes(path, NpyBytes(1, header, [1f, 2f]));
        var error = Assert.Throws<NpyFormatException>(() => NpyFloatMatrix.Read(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(what, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_WhenNotNpy_ThenNpyFormatExceptionMentionsMagic()
    {
        var path = Path.Combine(_directory, "text.npy");
        File.WriteAllText(path, "just some text, not numpy");
        Assert.Contains("magic", Assert.Throws<NpyFormatException>(() => NpyFloatMatrix.Read(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WhenCodebookHasWrongShape_ThenNpyFormatExceptionNamesBothShapes()
    {
        var path = Path.Combine(_directory, "small.npy");
        TokenizerContractModels.WriteNpy(path, new float[8 * 512], 8, 512);
        var error = Assert.Throws<NpyFormatException>(() => LinguisticCodebook.Load(path, 1024, 512));
        Assert.Contains("(8, 512)", error.Message, StringComparison.Ordinal);
        Assert.Contains("(1024, 512)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nearest_WhenComparedWithBruteForceEuclidean_ThenSameIndex()
    {
        var centroids = TokenizerContractModels.Codebook();
        var codebook = new LinguisticCodebook(centroids, 1024, 512);
        var random = new Random(3);
        for (var trial = 0; trial < 20; trial++)
        {
            var frame = new float[512];
            for (var i = 0; i < frame.Length; i++)
            {
                frame[i] = (float)((random.NextDouble() * 2) - 1);
            }

            var best = 0;
            var bestDistance = double.MaxValue;
            for (var c = 0; c < 1024; c++)
            {
                double distance = 0;
                for (var i = 0; i < 512; i++)
                {
                    var d = centroids[(c * 512) + i] - (double)frame[i];
                    distance += d * d;
                }

                if (distance < bestDistance)
                {
                    bestDistance = distance;
                    best = c;
                }
            }

            Assert.Equal(best, codebook.Nearest(frame));
        }
    }

    private static byte[] NpyBytes(byte major, string header, float[] values)
    {
        var prefix = major == 1 ? 10 : 12;
        header = header.PadRight(header.Length + ((64 - ((prefix + header.Length + 1) % 64)) % 64)) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, 0 };
        if (major == 1)
        {
            bytes.AddRange(BitConverter.GetBytes((ushort)header.Length));
        }
        else
        {
            bytes.AddRange(BitConverter.GetBytes((uint)header.Length));
        }

        bytes.AddRange(Encoding.ASCII.GetBytes(header));
        foreach (var value in values)
        {
            bytes.AddRange(BitConverter.GetBytes(value));
        }

        return [.. bytes];
    }
}
