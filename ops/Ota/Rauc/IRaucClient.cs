namespace StepAudio.Ops.Ota.Rauc;

/// <summary>The RAUC operations the agent uses. <see cref="RaucCli"/> runs the real <c>rauc</c>.</summary>
public interface IRaucClient
{
    /// <summary><c>rauc info</c>: checks the bundle's signature against the keyring and reads its manifest; for a verity bundle also checks the payload against the signed root hash, which <c>rauc info</c> alone does not. Throws <see cref="RaucBundleRejectedException"/> with RAUC's reason.</summary>
    Task<RaucBundleInfo> InfoAsync(string bundlePath, CancellationToken cancellationToken);

    /// <summary><c>rauc install</c>: RAUC verifies the bundle again, writes the other slot and makes it primary. Throws <see cref="RaucCommandException"/> with RAUC's reason.</summary>
    Task InstallAsync(string bundlePath, CancellationToken cancellationToken);

    /// <summary><c>rauc status --detailed --output-format=json</c>.</summary>
    Task<RaucSystemStatus> GetStatusAsync(CancellationToken cancellationToken);

    /// <summary><c>rauc status mark-good|mark-bad|mark-active &lt;slot&gt;</c>; slot is <c>booted</c>, <c>other</c> or a slot name.</summary>
    Task MarkAsync(RaucMark mark, string slot, CancellationToken cancellationToken);
}

/// <summary>The three marks RAUC sets through the bootloader.</summary>
public enum RaucMark
{
    /// <summary>The slot booted and works.</summary>
    Good,

    /// <summary>The slot must not be booted.</summary>
    Bad,

    /// <summary>The slot becomes the primary boot choice.</summary>
    Active,
}

/// <summary>A bundle's manifest as <c>rauc info</c> reports it.</summary>
/// <param name="Compatible">The manifest's compatible string.</param>
/// <param name="Version">The manifest's version.</param>
/// <param name="Images">Image file names by slot class.</param>
/// <param name="Format">The bundle format (<c>plain</c> or <c>verity</c>), when RAUC printed it.</param>
/// <param name="Verity">The signed verity fields of a verity bundle.</param>
public sealed record RaucBundleInfo(string Compatible, string Version, IReadOnlyDictionary<string, string> Images, string? Format = null, RaucVerityParameters? Verity = null);

/// <summary>One slot in <c>rauc status</c>.</summary>
/// <param name="Name">The slot name (<c>rootfs.1</c>).</param>
/// <param name="Class">The slot class (<c>rootfs</c>).</param>
/// <param name="BootName">The bootloader's name for it (<c>B</c>).</param>
/// <param name="State">booted, active or inactive.</param>
/// <param name="BootStatus">good or bad as the bootloader says.</param>
/// <param name="BundleVersion">The version RAUC last installed there, if any.</param>
/// <param name="InstallStatus">RAUC's record of the last install there (<c>ok</c>), if any.</param>
public sealed record RaucSlot(string Name, string Class, string? BootName, string State, string? BootStatus, string? BundleVersion, string? InstallStatus);

/// <summary>The system as <c>rauc status</c> reports it.</summary>
/// <param name="Compatible">The system's compatible string.</param>
/// <param name="BootedBootName">The bootname of the booted slot.</param>
/// <param name="PrimarySlot">The slot the bootloader will try first.</param>
/// <param name="Slots">Every slot.</param>
public sealed record RaucSystemStatus(string Compatible, string? BootedBootName, string? PrimarySlot, IReadOnlyList<RaucSlot> Slots)
{
    /// <summary>The booted slot, if RAUC knows it.</summary>
    public RaucSlot? BootedSlot
    {
        get
        {
            foreach (var slot in Slots)
            {
                if (slot.State == "booted" || (BootedBootName is not null && slot.BootName == BootedBootName))
                {
                    return slot;
                }
            }

            return null;
        }
    }

    /// <summary>The slot of this name, or null.</summary>
    public RaucSlot? Find(string? name)
    {
        foreach (var slot in Slots)
        {
            if (slot.Name == name)
            {
                return slot;
            }
        }

        return null;
    }
}

/// <summary>A <c>rauc</c> command failed; <see cref="Reason"/> holds RAUC's own explanation.</summary>
public class RaucCommandException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RaucCommandException(string command, int exitCode, string reason)
        : base($"'rauc {command}' failed (exit code {exitCode}): {reason}")
    {
        Command = command;
        ExitCode = exitCode;
        Reason = reason;
    }

    /// <summary>Creates the exception.</summary>
    public RaucCommandException()
        : this("?", -1, "unknown")
    {
    }

    /// <summary>Creates the exception.</summary>
    public RaucCommandException(string message)
        : this("?", -1, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RaucCommandException(string message, Exception innerException)
        : base(message, innerException)
    {
        Command = "?";
        Reason = message;
    }

    /// <summary>The rauc sub-command.</summary>
    public string Command { get; } = "?";

    /// <summary>rauc's exit code.</summary>
    public int ExitCode { get; }

    /// <summary>RAUC's reason, without its log chatter.</summary>
    public string Reason { get; } = string.Empty;
}

/// <summary><c>rauc info</c> refused a bundle: bad signature, unknown signer, damaged bundle.</summary>
public sealed class RaucBundleRejectedException : RaucCommandException
{
    /// <summary>Creates the exception.</summary>
    public RaucBundleRejectedException(string bundlePath, int exitCode, string reason)
        : base("info " + bundlePath, exitCode, reason)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RaucBundleRejectedException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public RaucBundleRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RaucBundleRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
