using StepAudio.ContractModels.Tokenizer;
using StepAudio.ContractModels.Vocoder;

namespace StepAudio.TestSupport;

/// <summary>The contract models (engine/models/CONTRACT.md), generated once per test run into a temporary directory.</summary>
public sealed class ContractModelsFixture : IDisposable
{
    public ContractModelsFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), $"stepaudio-contract-{Guid.NewGuid():N}");
        TokenizerContractModels.WriteAll(Directory);
        VocoderContractModels.WriteAll(Directory);
    }

    /// <summary>The model directory (vq02/, vq06/, vocoder/).</summary>
    public string Directory { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
