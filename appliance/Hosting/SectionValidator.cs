using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace StepAudio.Appliance.Hosting;

/// <summary>
/// Validates one options section with the area's own rules and writes every failure as
/// <c>Section:Member: message</c> (<c>Endpointing:EndOfTurnMs: must be longer than PauseMs</c>), so a bad value
/// says where it lives in appsettings.json, the environment or a fleet document, and the same fault reads the same
/// whichever validator found it.
/// </summary>
internal sealed partial class SectionValidator<TOptions>(string section, Func<string?, TOptions, ValidateOptionsResult>? rules) : IValidateOptions<TOptions>
    where TOptions : class
{
    public string Section { get; } = section;

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (rules is null)
        {
            // Without rules of its own a section still has its attributes checked; every area's rules already include
            // its source-generated attribute validator, so checking them twice would report each fault twice.
            var results = new List<ValidationResult>();
            if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
            {
                failures.AddRange(results.Select(r => Format(string.Join(", ", r.MemberNames), r.ErrorMessage ?? "is invalid")));
            }
        }
        else if (rules(name, options) is { Failed: true } result)
        {
            failures.AddRange(result.Failures.Select(Normalize));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures.Distinct(StringComparer.Ordinal));
    }

    /// <summary>
    /// The generated validators write <c>Member: The field Type.Member ...</c> and the result builder
    /// <c>Property Member: ...</c>; both become <c>Section:Member: ...</c> without the type name.
    /// </summary>
    private string Normalize(string failure)
    {
        var match = MemberPrefix().Match(failure);
        return match.Success ? Format(match.Groups["member"].Value, match.Groups["message"].Value) : $"{Section}: {failure}";
    }

    private string Format(string members, string message)
    {
        var typeName = typeof(TOptions).Name + ".";
        message = message.Replace(typeName, string.Empty, StringComparison.Ordinal);
        return members.Length == 0 ? $"{Section}: {message}" : $"{Section}:{members.Replace(", ", ",", StringComparison.Ordinal).Replace('.', ':')}: {message}";
    }

    [GeneratedRegex(@"^(?:Property )?(?<member>[A-Za-z_][A-Za-z0-9_.]*(?:, ?[A-Za-z_][A-Za-z0-9_.]*)*): (?<message>.+)$", RegexOptions.Singleline)]
    private static partial Regex MemberPrefix();
}
