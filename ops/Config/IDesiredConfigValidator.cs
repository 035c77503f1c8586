namespace StepAudio.Ops.Config;

/// <summary>
/// Checks a desired configuration before it is persisted. The host implements it with the same options validators it
/// runs at start (binding the candidate settings layered over its base configuration); ops knows none of those types.
/// </summary>
public interface IDesiredConfigValidator
{
    DesiredConfigValidation Validate(DesiredConfigCandidate candidate);
}

/// <summary>The settings of a desired document, flattened to configuration keys ("Section:Key", arrays by index).</summary>
public sealed class DesiredConfigCandidate
{
    public DesiredConfigCandidate(long version, IReadOnlyDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Version = version;
        Settings = settings;
    }

    public long Version { get; }

    /// <summary>Case-insensitive keys, as IConfiguration sees them.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; }
}

/// <summary>Outcome of one <see cref="IDesiredConfigValidator"/>; a failure names the configuration path at fault.</summary>
public sealed class DesiredConfigValidation
{
    private DesiredConfigValidation(bool isValid, string? path, string? message, string code)
    {
        IsValid = isValid;
        Path = path;
        Message = message;
        Code = code;
    }

    public static DesiredConfigValidation Valid { get; } = new(true, null, null, string.Empty);

    public bool IsValid { get; }

    /// <summary>Configuration path of the offending setting ("Audio:Volume"), or null when the whole document is at fault.</summary>
    public string? Path { get; }

    public string? Message { get; }

    /// <summary>The <see cref="DesiredConfigRejectionCodes"/> value published with the rejection.</summary>
    public string Code { get; }

    /// <summary>A refusal; <paramref name="code"/> defaults to <see cref="DesiredConfigRejectionCodes.InvalidSettings"/> (a value the validators refused).</summary>
    public static DesiredConfigValidation Invalid(string? path, string message, string code = DesiredConfigRejectionCodes.InvalidSettings)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        return new DesiredConfigValidation(false, path, message, code);
    }
}
