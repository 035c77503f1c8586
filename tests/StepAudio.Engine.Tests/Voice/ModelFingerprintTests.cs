using StepAudio.Engine.Tests.Voice.Fakes;
using StepAudio.Engine.Voice;

namespace StepAudio.Engine.Tests.Voice;

public sealed class ModelFingerprintTests(VoiceModels models) : IClassFixture<VoiceModels>
{
    [Fact]
    public void Of_WhenNothingChanges_ThenTheIdentityIsStable()
    {
        Assert.Equal(ModelFingerprint.OfTokenizer(models.TokenizerOptions), ModelFingerprint.OfTokenizer(models.TokenizerOptions));
        Assert.Equal(ModelFingerprint.OfVocoder(models.SpeechOptions), ModelFingerprint.OfVocoder(models.SpeechOptions));
    }

    [Fact]
    public void Of_WhenAFileIsReplacedOrMissing_ThenTheIdentityChanges()
    {
        var root = models.NewDirectory();
        var model = Path.Combine(root, "vq06", "model.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(model)!);
        File.WriteAllBytes(model, new byte[100]);
        File.SetLastWriteTimeUtc(model, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var original = ModelFingerprint.Of(root, ["vq06/model.onnx"]);

        File.WriteAllBytes(model, new byte[100]);
        File.SetLastWriteTimeUtc(model, new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc));
        var rewritten = ModelFingerprint.Of(root, ["vq06/model.onnx"]);
        File.WriteAllBytes(model, new byte[101]);
        File.SetLastWriteTimeUtc(model, new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc));
        var resized = ModelFingerprint.Of(root, ["vq06/model.onnx"]);
        File.Delete(model);
        var missing = ModelFingerprint.Of(root, ["vq06/model.onnx"]);

        Assert.Equal(4, new HashSet<string>([original, rewritten, resized, missing]).Count);
    }

    [Fact]
    public void OfTokenizerAndOfVocoder_WhenOneFileChanges_ThenOnlyTheModelsItShapesChangeIdentity()
    {
        var root = models.NewDirectory();
        string[] files = ["vq02/encoder.onnx", "vq06/speech_tokenizer_v1.onnx", "vocoder/v1/vocoder.json", "vocoder/v1/campplus.onnx", "vocoder/v1/hift.onnx"];
        foreach (var file in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, file))!);
            File.WriteAllBytes(Path.Combine(root, file), new byte[10]);
        }

        var tokenizer = new Engine.Tokenizer.TokenizerOptions { ModelDirectory = root };
        var vocoder = new Engine.Vocoder.VocoderOptions { ModelDirectory = root, Profile = "v1" };
        (string Tokenizer, string Vocoder) Identities() => (ModelFingerprint.OfTokenizer(tokenizer), ModelFingerprint.OfVocoder(vocoder));
        var start = Identities();

        File.WriteAllBytes(Path.Combine(root, "vocoder/v1/hift.onnx"), new byte[11]);
        var afterHift = Identities();
        File.WriteAllBytes(Path.Combine(root, "vocoder/v1/campplus.onnx"), new byte[11]);
        var afterCampPlus = Identities();
        File.WriteAllBytes(Path.Combine(root, "vq02/encoder.onnx"), new byte[11]);
        var afterEncoder = Identities();

        Assert.Equal(start, afterHift);
        Assert.Equal(start.Tokenizer, afterCampPlus.Tokenizer);
        Assert.NotEqual(start.Vocoder, afterCampPlus.Vocoder);
        Assert.NotEqual(afterCampPlus.Tokenizer, afterEncoder.Tokenizer);
        Assert.Equal(afterCampPlus.Vocoder, afterEncoder.Vocoder);
    }
}
