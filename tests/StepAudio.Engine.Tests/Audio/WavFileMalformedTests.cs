using StepAudio.Engine.Audio;
using Xunit;

namespace StepAudio.Engine.Tests.Audio;

public sealed class WavFileMalformedTests
{
    private static readonly byte[] FourSamples = [0, 0x40, 0, 0xC0, 0, 0x20, 0, 0xE0];

    public static TheoryData<string, byte[], string> MalformedImages() => new()
    {
        { "not RIFF", new WavImages().Riff(id: "RIFX").Fmt(1, 1, 16000, 2, 16).Chunk("data", FourSamples).ToArray(), "not a RIFF file (starts with 'RIFX'" },
        { "not WAVE", new WavImages().Riff(form: "AVI ").Fmt(1, 1, 16000, 2, 16).Chunk("data", FourSamples).ToArray(), "not a WAVE file" },
        { "missing fmt", new WavImages().Riff().Chunk("data", FourSamples).ToArray(), "missing fmt chunk" },
        { "missing data", new WavImages().Riff().Fmt(1, 1, 16000, 2, 16).Chunk("LIST", [1, 2]).ToArray(), "missing data chunk" },
        { "mp3 tag", new WavImages().Riff().Fmt(0x55, 1, 16000, 2, 16).Chunk("data", FourSamples).ToArray(), "unsupported format tag 0x0055 (MPEG layer 3)" },
        { "8-bit PCM", new WavImages().Riff().Fmt(1, 1, 16000, 1, 8).Chunk("data", FourSamples).ToArray(), "unsupported PCM bit depth 8" },
        { "64-bit float", new WavImages().Riff().Fmt(3, 1, 16000, 8, 64).Chunk("data", FourSamples).ToArray(), "unsupported IEEE float bit depth 64" },
        { "extensible other", new WavImages().Riff().FmtExtensible(1, 16000, 16, 1, validGuid: false).Chunk("data", FourSamples).ToArray(), "sub-format" },
        { "extensible short", new WavImages().Riff().Fmt(0xFFFE, 1, 16000, 2, 16).Chunk("data", FourSamples).ToArray(), "EXTENSIBLE fmt chunk is 16 bytes" },
        { "zero channels", new WavImages().Riff().Fmt(1, 0, 16000, 2, 16).Chunk("data", FourSamples).ToArray(), "zero channels" },
        { "too many channels", new WavImages().Riff().Fmt(1, 33, 16000, 66, 16).Chunk("data", FourSamples).ToArray(), "33 channels" },
        { "zero rate", new WavImages().Riff().Fmt(1, 1, 0, 2, 16).Chunk("data", FourSamples).ToArray(), "sample rate of zero" },
        { "block align", new WavImages().Riff().Fmt(1, 2, 16000, 2, 16).Chunk("data", FourSamples).ToArray(), "block align 2 is inconsistent with 2 channels of 16 bits (expected 4)" },
        { "short file", "RIFF\0\0"u8.ToArray(), "truncated header: 6 bytes" },
        { "fmt cut", new WavImages().Riff().Raw("fmt "u8).U32(16).Raw([1, 0, 1, 0, 0x80]).ToArray(), "chunk 'fmt ' at offset 12 declares 16 bytes but only 5 bytes follow" },
        { "fmt too small", new WavImages().Riff().Chunk("fmt ", new byte[12]).Chunk("data", FourSamples).ToArray(), "fmt chunk is 12 bytes" },
        { "huge LIST", new WavImages().Riff().Raw("LIST"u8).U32(0x7FFFFFF0).Raw(new byte[20]).ToArray(), "declares 2147483632 bytes but only 20 bytes follow" },
    };

    [Theory]
    [MemberData(nameof(MalformedImages))]
    public void Read_WhenMalformed_ThenWavFormatExceptionNamesTheProblemAndSource(string name, byte[] image, string problem)
    {
        var error = Assert.Throws<WavFormatException>(() => WavFile.Read(new MemoryStream(image), $"{name}.wav"));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{name}.wav'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_WhenCutMidData_ThenTruncatedErrorSaysExpectedAndFoundBytes()
    {
        var image = WavImages.Pcm16Mono(1000);

        var error = Assert.Throws<WavFormatException>(() => WavFile.Read(new MemoryStream(image[..1500]), "cut.wav"));

        Assert.Contains("truncated file: the data chunk declares 2000 bytes but only 1456 bytes follow", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_WhenPathMissing_ThenWavFormatExceptionNamesTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}.wav");

        var error = Assert.Throws<WavFormatException>(() => WavFile.Read(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("not found", error.Message, StringComparison.Ordinal);
        Assert.IsType<FileNotFoundException>(error.InnerException);
    }

    [Fact]
    public void Read_WhenNoSourceName_ThenMessageSaysStream()
    {
        var error = Assert.Throws<WavFormatException>(() => WavFile.Read(new MemoryStream([1, 2, 3])));

        Assert.StartsWith("WAV stream: truncated header", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_WhenHeaderBytesMutatedOrCut_ThenOnlyWavFormatExceptionAndNeverHangs()
    {
        // A hang guard, not a timing check: a generous bound on a finite loop turns a hang into a failure.
        var unexpected = await Task.Run(() => Fuzz(seed: 20240601, rounds: 4000)).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Empty(unexpected);
    }

    private static List<string> Fuzz(int seed, int rounds)
    {
        var random = new Random(seed);
        var valid = new List<byte[]>
        {
            WavImages.Pcm16Mono(64),
            new WavImages().Riff().Chunk("LIST", [1, 2, 3]).FmtExtensible(2, 48000, 24, 1).Chunk("data", new byte[60]).ToArray(),
            new WavImages().Riff().Fmt(3, 1, 16000, 4, 32).Chunk("data", new byte[40]).Chunk("id3 ", [5]).ToArray(),
        };
        var unexpected = new List<string>();
        for (var round = 0; round < rounds; round++)
        {
            var image = (byte[])valid[round % valid.Count].Clone();
            var mutations = random.Next(1, 6);
            for (var m = 0; m < mutations; m++)
            {
                // Mostly the header (first 80 bytes), where the sizes and fields live.
                var at = random.Next(Math.Min(image.Length, 80));
                image[at] = random.Next(4) == 0 ? (byte)0xFF : (byte)random.Next(256);
            }

            if (random.Next(4) == 0)
            {
                image = image[..random.Next(image.Length)];
            }

            try
            {
                var audio = WavFile.Read(new MemoryStream(image), "fuzz.wav");
                Assert.Equal(audio.FrameCount * audio.Channels, audio.Samples.Length);
            }
            catch (WavFormatException)
            {
            }
            catch (Exception ex)
            {
                unexpected.Add($"round {round}: {ex.GetType().Name}: {ex.Message}");
            }
        }

        return unexpected;
    }
}
