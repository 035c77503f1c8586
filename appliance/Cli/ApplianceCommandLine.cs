using System.CommandLine;

namespace StepAudio.Appliance.Cli;

/// <summary>The <c>stepaudio-edge</c> command tree.</summary>
internal static class ApplianceCommandLine
{
    public static RootCommand Create()
    {
        var root = new RootCommand("StepAudio.Edge: the firmware host of a Step-Audio voice appliance.\n\n" + ExitCodes.Help);
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(ConfigCommand.Create());
        root.Subcommands.Add(ListenCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(DevicesCommand.Create());
        root.Subcommands.Add(DiagnoseCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(FeaturesCommand.Create());
        root.Subcommands.Add(TokenizeCommand.Create());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; a command line that does not parse is bad usage (exit code 2), whatever the parser's own code.</summary>
    public static async Task<int> InvokeAsync(string[] args, InvocationConfiguration? configuration = null)
    {
        var parse = Create().Parse(args);
        var code = await parse.InvokeAsync(configuration ?? new InvocationConfiguration());
        return parse.Errors.Count > 0 ? ExitCodes.BadInput : code;
    }
}
