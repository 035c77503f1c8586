using StepAudio.ContractModels.Vocoder;

namespace StepAudio.Engine.Tests.Vocoder.Fakes;

/// <summary>A temporary models root holding the generated v1 and v2 vocoder contract models.</summary>
public sealed class ContractVocoderDirectory : IDisposable
{
    public ContractVocoderDirectory()
    {
        Root = Path.Combine(Path.GetTempPath(), $"stepaudio_vocoder_{Guid.NewGuid():N}");
        VocoderContractModels.WriteAll(Root);
    }

    public string Root { get; }

    public string ProfileDirectory => ProfileDirectoryOf("v1");

    public string ProfileDirectoryOf(string profile) => Path.Combine(Root, "vocoder", profile);

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
