using StepAudio.ContractModels.Tokenizer;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Tokenizer;

namespace StepAudio.Engine.Tests.Tokenizer;

/// <summary>A model directory of contract models and a tokenizer loaded from it, shared by a test class.</summary>
public sealed class TokenizerFixture : IDisposable
{
    public TokenizerFixture()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("tokenizer-models-").FullName;
        TokenizerContractModels.WriteAll(Directory);
        Tokenizer = DualCodebookTokenizer.Load(Options(Directory), new OnnxSessionFactory());
    }

    public string Directory { get; }

    public DualCodebookTokenizer Tokenizer { get; }

    public static TokenizerOptions Options(string directory, int maxSeconds = 60) => new()
    {
        ModelDirectory = directory,
        Inference = new InferenceOptions { IntraOpThreads = 1 },
        MaxUtteranceSeconds = maxSeconds,
    };

    /// <summary>A copy of the contract directory that a test may break.</summary>
    public string CopyDirectory()
    {
        var copy = System.IO.Directory.CreateTempSubdirectory("tokenizer-broken-").FullName;
        foreach (var file in System.IO.Directory.GetFiles(Directory, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(Directory, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return copy;
    }

    public void Dispose()
    {
        Tokenizer.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
