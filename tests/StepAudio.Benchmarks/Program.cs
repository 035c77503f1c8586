using BenchmarkDotNet.Running;
using StepAudio.Benchmarks.Listening;

// ./deploy.sh bench, or: dotnet run -c Release --project tests/StepAudio.Benchmarks -- --filter '*AlwaysOn*'
BenchmarkSwitcher.FromAssembly(typeof(AlwaysOnBenchmarks).Assembly).Run(args);
