using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace StepAudio.Ops.Settings;

/// <summary>
/// Runs an options section's source-generated validator and writes every failure as <c>Section:Member: message</c>
/// (<c>Endpointing:EndOfTurnMs: must be longer than PauseMs</c>), so a bad value says where it lives in
/// appsettings.json, the environment or a fleet document, whichever rule found it.
/// </summary>
/// <remarks>
/// The generated validators write <c>Member: The field Type.Member ...</c> for attributes and
/// <c>Member: message</c> for <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/> rules; both
/// become <c>Section:Member: ...</c> with the type name dropped and nested members written with colons.
/// </remarks>
public sealed partial class SectionValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : class
{
    private readonly IValidateOptions<TOptions> _rules;

    /// <summary>Validates <paramref name="section"/> with <paramref name="rules"/>.</summary>
    public SectionValidator(string section, IValidateOptions<TOptions> rules)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(section);
        ArgumentNullException.ThrowIfNull(rules);
        Section = section;
        _rules = rules;
    }

    /// <summary>The configuration path of the section, e.g. <c>Audio:Capture</c>.</summary>
    public string Section { get; }

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = _rules.Validate(name, options);
        return result.Failed
            ? ValidateOptionsResult.Fail(result.Failures.Select(Normalize).Distinct(StringComparer.Ordinal))
            : result;
    }

    private string Normalize(string failure)
    {
        var match = MemberPrefix().Match(failure);
        if (!match.Success)
        {
            return $"{Section}: {Strip(failure)}";
        }

        var members = match.Groups["member"].Value.Replace(", ", ",", StringComparison.Ordinal).Replace('.', ':');
        return $"{Section}:{members}: {Strip(match.Groups["message"].Value)}";
    }

    private static string Strip(string message) => message.Replace(typeof(TOptions).Name + ".", string.Empty, StringComparison.Ordinal);

    [GeneratedRegex(@"^(?:Property )?(?<member>[A-Za-z_][A-Za-z0-9_.:]*(?:, ?[A-Za-z_][A-Za-z0-9_.:]*)*): (?<message>.+)$", RegexOptions.Singleline)]
    private static partial Regex MemberPrefix();
}
