using System.CommandLine;
using StepAudio.Appliance.Cli;

var root = new RootCommand("StepAudio.Edge: the firmware host of a Step-Audio voice appliance.\n" + ExitCodes.Help);
root.Subcommands.Add(ModelsCommand.Create());
return await root.Parse(args).InvokeAsync();
