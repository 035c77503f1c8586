using System.CommandLine;
using StepAudio.Appliance.Cli;

namespace StepAudio.Appliance.Tests.Cli;

/// <summary>Runs a command line through the real command tree with its output captured (not the process console, which other tests share).</summary>
internal static class CliRunner
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await ApplianceCommandLine.InvokeAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }
}
