using Microsoft.Extensions.Configuration;

namespace StepAudio.Appliance.Hosting;

/// <summary>
/// Secrets handed over by systemd (<c>LoadCredential=</c>) as configuration: every file in
/// <c>$CREDENTIALS_DIRECTORY</c> whose name holds a section path with <c>__</c> becomes that key
/// (<c>GpuServer__ApiKey</c> is <c>GpuServer:ApiKey</c>). The unit loads a whole directory under
/// the ID <see cref="UnitCredentialId"/>, and systemd names each file <c>ID_FILENAME</c>, so that
/// prefix is dropped. Other files (a TLS key) are not settings; options name them by path.
/// </summary>
internal static class SystemdCredentials
{
    /// <summary>The ID the unit loads the credentials directory under (<c>LoadCredential=stepaudio:...</c>).</summary>
    public const string UnitCredentialId = "stepaudio";

    /// <summary>Where the credentials directory lives on the data partition (root-only, made by tmpfiles.d).</summary>
    public const string SourceDirectory = "/var/lib/stepaudio-edge/credentials";

    /// <summary>systemd's <c>$CREDENTIALS_DIRECTORY</c>; null when the service got no credentials.</summary>
    public static string? DirectoryFromEnvironment() =>
        Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY") is { Length: > 0 } directory ? directory : null;

    /// <summary>Adds the credentials in <paramref name="directory"/> (nothing when it is null or absent).</summary>
    public static IConfigurationBuilder AddSystemdCredentials(this IConfigurationBuilder builder, string? directory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new SystemdCredentialsSource(directory));
    }

    /// <summary>The configuration key a credential file stands for; false for a file that is no setting.</summary>
    public static bool TryGetKey(string fileName, out string key)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var name = fileName.StartsWith(UnitCredentialId + "_", StringComparison.Ordinal) && !fileName.StartsWith(UnitCredentialId + "__", StringComparison.Ordinal)
            ? fileName[(UnitCredentialId.Length + 1)..]
            : fileName;
        var sections = name.Split("__");
        // "stepaudio__ApiKey" is the unit's prefix with the wrong separator, not a section of ours.
        if (sections.Length < 2 || Array.Exists(sections, s => s.Length == 0) || sections[0].Equals(UnitCredentialId, StringComparison.OrdinalIgnoreCase))
        {
            key = string.Empty;
            return false;
        }

        key = string.Join(ConfigurationPath.KeyDelimiter, sections);
        return true;
    }

    /// <summary>A credential's value: the file's text without the one line break a shell's <c>echo</c> leaves at its end.</summary>
    public static string ReadValue(string path)
    {
        var text = File.ReadAllText(path);
        if (text.EndsWith("\r\n", StringComparison.Ordinal))
        {
            return text[..^2];
        }

        return text.EndsWith('\n') ? text[..^1] : text;
    }
}

/// <summary>The configuration source over a credentials directory.</summary>
internal sealed class SystemdCredentialsSource(string? directory) : IConfigurationSource
{
    public string? Directory { get; } = directory;

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new SystemdCredentialsProvider(Directory);
}

/// <summary>Reads the credentials once: systemd's copies are immutable while the service runs.</summary>
internal sealed class SystemdCredentialsProvider(string? directory) : ConfigurationProvider
{
    public override void Load()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (directory is not null && System.IO.Directory.Exists(directory))
        {
            foreach (var path in System.IO.Directory.EnumerateFiles(directory))
            {
                if (SystemdCredentials.TryGetKey(Path.GetFileName(path), out var key))
                {
                    try
                    {
                        data[key] = SystemdCredentials.ReadValue(path);
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        throw new InvalidOperationException($"The credential '{Path.GetFileName(path)}' in {directory} (for {key}) cannot be read: {ex.Message}", ex);
                    }
                }
            }
        }

        Data = data;
    }
}
