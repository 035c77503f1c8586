using System.CommandLine;
using Microsoft.Extensions.Configuration;
using StepAudio.Appliance.Hosting;

namespace StepAudio.Appliance.Cli;

/// <summary><c>config validate &lt;file&gt;</c>: checks a configuration document with the service's own validators.</summary>
internal static class ConfigCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "A JSON document with the sections of appsettings.json (all optional)." };
        var validate = new Command("validate", "Check a configuration document with the same validators the service runs at start; exit 0 when good, 2 with every problem otherwise.");
        validate.Arguments.Add(file);
        validate.SetAction(parse => Validate(parse.GetValue(file)!));
        var config = new Command("config", "Configuration documents.");
        config.Subcommands.Add(validate);
        return config;
    }

    private static int Validate(FileInfo file)
    {
        if (!file.Exists)
        {
            Console.Error.WriteLine($"error: {file.FullName} does not exist.");
            return ExitCodes.BadInput;
        }

        IConfiguration configuration;
        try
        {
            configuration = new ConfigurationBuilder().AddJsonFile(file.FullName, optional: false).Build();
        }
        catch (InvalidDataException ex)
        {
            Console.Error.WriteLine($"error: {file.FullName} is not valid JSON: {ex.InnerException?.Message ?? ex.Message}");
            return ExitCodes.BadInput;
        }

        var failures = ApplianceOptions.Validate(configuration);
        if (failures.Count == 0)
        {
            Console.WriteLine($"{file.FullName}: valid");
            return ExitCodes.Ok;
        }

        foreach (var failure in failures)
        {
            Console.Error.WriteLine($"{file.FullName}: {failure}");
        }

        return ExitCodes.BadInput;
    }
}
