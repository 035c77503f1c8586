using StepAudio.FleetTool;

return await FleetCommandLine.InvokeAsync(args);
