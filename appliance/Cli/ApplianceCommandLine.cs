using System.CommandLine;

namespace StepAudio.Appliance.Cli;

/// <summary>The <c>stepaudio-edge</c> command tree.</summary>
internal static class ApplianceCommandLine
{
    public static RootCommand Create()
    {
        var root = new RootCommand("StepAudio.Edge: the firmware host of a Step-Audio voice appliance.\n" + ExitCodes.Help);
        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(ListenCommand.Create());
        root.Subcommands.Add(FleetCommand.Create());
        return root;
    }
}
