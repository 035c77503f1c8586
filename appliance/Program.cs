using StepAudio.Appliance.Cli;

return await ApplianceCommandLine.InvokeAsync(args);
