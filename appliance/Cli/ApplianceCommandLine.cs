using System.CommandLine;

namespace StepAudio.Appliance.Cli;

/// <summary>The <c>stepaudio-edge</c> command tree.</summary>
internal static class ApplianceCommandLine
{
    public static RootCommand Create()
    {
        var root = new RootCommand(
            "StepAudio.Edge: the firmware host of a Step-Audio voice appliance.\n" + ExitCodes.Help +
            "\n'diagnose' exits with a mask of the failed areas instead (see 'diagnose --help').");
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
        root.Subcommands.Add(FleetCommand.Create());
        return root;
    }
}
