using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StepAudio.Appliance.Hosting;

namespace StepAudio.Appliance.Cli;

/// <summary><c>run</c>: the service, as systemd starts it.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config") { Description = "An extra JSON configuration file, applied after appsettings.json." };
        var run = new Command("run", "Run the appliance service: capture, wake word, turns, replies. Under systemd it reports READY, STATUS and watchdog pings.");
        run.Options.Add(config);
        run.SetAction((parse, ct) => CliErrors.GuardAsync(async () =>
        {
            try
            {
                using var host = ApplianceHost.Build(parse.GetValue(config)?.FullName);
                await host.RunAsync(ct);
                return ExitCodes.Ok;
            }
            catch (OptionsValidationException ex)
            {
                // ValidateOnStart: the service refuses to start on a bad value, saying which and why.
                foreach (var failure in ex.Failures)
                {
                    Console.Error.WriteLine($"error: {failure}");
                }

                return ExitCodes.BadInput;
            }
        }));
        return run;
    }
}
