using System.CommandLine;
using Microsoft.Extensions.Configuration;
using StepAudio.Appliance.Composition;
using StepAudio.Appliance.Hosting;

namespace StepAudio.Appliance.Cli;

/// <summary><c>config validate &lt;file&gt;</c>: checks a configuration document with the service's own validators.</summary>
internal static class ConfigCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "A JSON document with the sections of appsettings.json (all optional: '{}' is valid)." };
        var validate = new Command(
            "validate",
            "Check a configuration document the way the service would read it: laid over the defaults (appsettings.json beside the " +
            "program), with the same validators the service runs at start. Every problem is listed once: unknown settings, values " +
            "of the wrong type and values out of range, each with its path. Exit 0 when good, 2 otherwise.");
        validate.Arguments.Add(file);
        validate.SetAction(parse => Validate(parse.GetValue(file)!, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        var config = new Command("config", "Configuration documents.");
        config.Subcommands.Add(validate);
        return config;
    }

    private static int Validate(FileInfo file, TextWriter output, TextWriter error)
    {
        if (Directory.Exists(file.FullName))
        {
            error.WriteLine($"error: {file.FullName} is a directory, not a configuration file.");
            return ExitCodes.BadInput;
        }

        if (!file.Exists)
        {
            error.WriteLine($"error: {file.FullName} does not exist.");
            return ExitCodes.BadInput;
        }

        IConfiguration document;
        IConfiguration merged;
        try
        {
            document = new ConfigurationBuilder().AddJsonFile(file.FullName, optional: false).Build();
            merged = ApplianceSettings.BuildDefaults().AddJsonFile(file.FullName, optional: false).Build();
        }
        catch (InvalidDataException ex)
        {
            error.WriteLine($"error: {file.FullName} is not valid JSON: {ex.InnerException?.Message ?? ex.Message}");
            return ExitCodes.BadInput;
        }

        // A misspelt key is bound to nothing and silently keeps the default, so it is as wrong as a bad value.
        var failures = new List<string>();
        foreach (var (key, value) in document.AsEnumerable())
        {
            if (value is not null && !SettingsCatalog.Appliance.IsKnown(key))
            {
                failures.Add($"{key}: unknown setting (no section of the service reads it).");
            }
        }

        failures.AddRange(ApplianceOptions.Validate(merged));
        if (failures.Count == 0)
        {
            output.WriteLine($"{file.FullName}: valid");
            return ExitCodes.Ok;
        }

        foreach (var failure in failures.Distinct(StringComparer.Ordinal))
        {
            error.WriteLine($"{file.FullName}: {failure}");
        }

        return ExitCodes.BadInput;
    }
}
