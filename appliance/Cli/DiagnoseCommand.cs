using System.CommandLine;
using System.Text.Json;
using StepAudio.Appliance.Composition;
using StepAudio.Appliance.Diagnostics;

namespace StepAudio.Appliance.Cli;

/// <summary><c>diagnose</c>: every health check, one line each, and an exit code that says which areas failed.</summary>
internal static class DiagnoseCommand
{
    /// <summary>The exit-code mask, for --help. diagnose alone uses a mask; the other commands' codes are in <see cref="ExitCodes"/>.</summary>
    public const string ExitCodeHelp =
        "Exit code: 0 when every check passed; otherwise the sum of the areas that failed: " +
        "1 configuration, 4 audio devices, 8 GPU server, 16 broker, 32 disk space, 64 models (pinned or operator) " +
        "(e.g. 12 = audio + server). A skipped check (its configuration section is invalid) adds nothing beyond the 1. " +
        "No area is worth 2: exit code 2 is bad usage, as for every command.";

    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config") { Description = "An extra JSON configuration file, applied after appsettings.json (as for 'run')." };
        var json = new Option<bool>("--json") { Description = "Print the report as one JSON object: exit_code, failed areas, and each check's name, area, status, detail, elapsed_ms." };
        var minFree = new Option<int>("--min-free-mb")
        {
            Description = "Free space below this (MiB) fails a disk check.",
            DefaultValueFactory = _ => (int)(FreeDiskCheck.DefaultMinimumFreeBytes / (1024 * 1024)),
        };
        var stateDir = new Option<string>("--state-dir")
        {
            Description = "The service's state directory ($STATE_DIRECTORY under systemd, else /var/lib/stepaudio-edge).",
            DefaultValueFactory = _ => new DiagnosticSuiteOptions().StateDirectory,
        };

        var command = new Command(
            "diagnose",
            "Check the configuration, the pinned and operator models, the capture and playback devices (stop the service first: " +
            "an open hardware device is busy), the GPU server, the fleet broker and free disk space; one line per check.\n" + ExitCodeHelp);
        foreach (var option in new Option[] { config, json, minFree, stateDir })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, ct) => RunAsync(
            parse.GetValue(config),
            parse.GetValue(json),
            new DiagnosticSuiteOptions { MinimumFreeBytes = parse.GetValue(minFree) * 1024L * 1024L, StateDirectory = parse.GetValue(stateDir)! },
            parse.InvocationConfiguration.Output,
            ct));
        return command;
    }

    private static async Task<int> RunAsync(FileInfo? config, bool asJson, DiagnosticSuiteOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        DiagnosticSuite suite;
        try
        {
            var configuration = ApplianceSettings.BuildConfiguration(config?.FullName, new Dictionary<string, string?>());
            suite = DiagnosticSuite.FromConfiguration(configuration, options);
        }
        catch (OptionsException ex)
        {
            // Nothing else can be checked without a configuration.
            suite = new DiagnosticSuite([new ConfigurationProblemCheck("configuration", ex.Message)]);
        }

        using (suite)
        {
            var report = await suite.RunAsync(cancellationToken);
            if (asJson)
            {
                WriteJson(report, output);
            }
            else
            {
                WriteLines(report, output);
            }

            return report.ExitCode;
        }
    }

    private static void WriteLines(DiagnosticReport report, TextWriter output)
    {
        var width = report.Results.Max(r => r.Check.Length);
        foreach (var result in report.Results)
        {
            var status = result.Status switch
            {
                DiagnosticStatus.Passed => "ok",
                DiagnosticStatus.Failed => "FAIL",
                _ => "skip",
            };
            output.WriteLine($"{status,-4}  {result.Check.PadRight(width)}  {result.Detail}");
        }

        if (report.ExitCode == 0)
        {
            output.WriteLine($"diagnose: all {report.Results.Count} checks passed.");
        }
        else
        {
            var areas = Enum.GetValues<DiagnosticArea>().Where(a => a != DiagnosticArea.None && report.FailedAreas.HasFlag(a)).Select(DiagnosticReport.NameOf);
            output.WriteLine($"diagnose: failed: {string.Join(", ", areas)} (exit code {report.ExitCode}).");
        }
    }

    private static void WriteJson(DiagnosticReport report, TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            report.WriteJson(json);
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }
}
