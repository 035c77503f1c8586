using BenchmarkDotNet.Running;
using StepAudio.Benchmarks.Conversation;
using StepAudio.Benchmarks.Listening;
using StepAudio.Benchmarks.Models;

// ./deploy.sh bench, or: dotnet run -c Release --project tests/StepAudio.Benchmarks -- --filter '*AlwaysOn*'
// The speculative-response replay (real time, minutes): dotnet run -c Release --project tests/StepAudio.Benchmarks -- conversation [--turns N] [--seed N]
// Step-Audio's networks on an exported model directory (./deploy.sh bench-models): ... -- models --dir DIR [--provider cuda]
if (args.Length > 0 && args[0] == "models")
{
    return await StepAudioModelBench.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "conversation")
{
    return await ConversationReplay.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(AlwaysOnBenchmarks).Assembly).Run(args);
return 0;
