using StepAudio.ContractModels.Vocoder;

namespace StepAudio.Engine.Tests.Vocoder.Fakes;

/// <summary>A temporary models root holding the generated v1 vocoder contract models.</summary>
public sealed class ContractVocoderDirectory : IDisposable
{
    public ContractVocoderDirectory()
    {
        Root = Path.Combine(Path.GetTempPath(), $"stepaudio_vocoder_{Guid.NewGuid():N}");
        VocoderContractModels.WriteAll(Root);
    }

    public string Root { get; }

    public string ProfileDirectory => Path.Combine(Root, "vocoder", "v1");

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
