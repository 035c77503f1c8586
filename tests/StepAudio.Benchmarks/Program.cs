using BenchmarkDotNet.Running;
using StepAudio.Benchmarks.Conversation;
using StepAudio.Benchmarks.Listening;

// ./deploy.sh bench, or: dotnet run -c Release --project tests/StepAudio.Benchmarks -- --filter '*AlwaysOn*'
// The speculative-response replay (real time, minutes): dotnet run -c Release --project tests/StepAudio.Benchmarks -- conversation [--turns N] [--seed N]
if (args.Length > 0 && args[0] == "conversation")
{
    return await ConversationReplay.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(AlwaysOnBenchmarks).Assembly).Run(args);
return 0;
