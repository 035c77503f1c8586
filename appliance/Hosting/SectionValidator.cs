using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace StepAudio.Appliance.Hosting;

/// <summary>
/// Validates one options section with the area's own rules and prefixes every failure with the
/// section path (<c>Endpointing: EndOfTurnMs must be longer than PauseMs</c>), so a bad value
/// says where it lives in appsettings.json, the environment or a fleet document.
/// </summary>
internal sealed class SectionValidator<TOptions>(string section, Func<string?, TOptions, ValidateOptionsResult>? rules) : IValidateOptions<TOptions>
    where TOptions : class
{
    public string Section { get; } = section;

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            failures.AddRange(results.Select(r => $"{Section}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
        }

        if (rules is not null && rules(name, options) is { Failed: true } result)
        {
            failures.AddRange(result.Failures.Select(f => $"{Section}: {f}"));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures.Distinct());
    }
}
