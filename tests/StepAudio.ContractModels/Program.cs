using StepAudio.ContractModels.Tokenizer;
using StepAudio.ContractModels.Vocoder;

// Writes the contract models (engine/models/CONTRACT.md) for tests, benchmarks and the demo.
var output = args.Length == 2 && args[0] == "--out" ? args[1] : null;
if (output is null)
{
    Console.Error.WriteLine("usage: StepAudio.ContractModels --out <directory>");
    return 2;
}

TokenizerContractModels.WriteAll(output);
VocoderContractModels.WriteAll(output);
Console.WriteLine($"contract models written to {Path.GetFullPath(output)}");
return 0;
