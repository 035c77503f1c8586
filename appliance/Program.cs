using StepAudio.Appliance.Cli;

return await ApplianceCommandLine.Create().Parse(args).InvokeAsync();
