using System.Security.Cryptography;
using System.Text;

namespace StepAudio.Ops.Fleet;

/// <summary>
/// Where a device's fleet id comes from when none is provisioned: systemd's <c>/etc/machine-id</c>, never the host name
/// (two boxes imaged alike share one; a user can rename it). The raw machine id is kept private, as systemd asks:
/// the fleet id is an app-specific derivation in the spirit of <c>sd_id128_get_machine_app_specific</c>, an HMAC-SHA256
/// keyed with the machine id over this product's application id, of which the first 16 bytes are used.
/// </summary>
public static class DeviceIdentity
{
    /// <summary>systemd's machine id: 32 lowercase hex digits, made once per installation.</summary>
    public const string DefaultMachineIdFile = "/etc/machine-id";

    // Fixed forever: changing it would give every device in the field a new identity.
    private static readonly byte[] ApplicationId = Encoding.ASCII.GetBytes("stepaudio-edge/fleet-device-id/v1");

    /// <summary>The fleet id derived from the machine id in <paramref name="machineIdFile"/>, or why there is none.</summary>
    public static bool TryFromMachineId(string machineIdFile, out string deviceId, out string problem)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(machineIdFile);
        deviceId = string.Empty;
        string text;
        try
        {
            text = File.ReadAllText(machineIdFile).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"{machineIdFile} cannot be read ({ex.Message})";
            return false;
        }

        // "uninitialized" is what systemd leaves there until the first boot has committed an id.
        if (text.Length != 32 || !IsLowerHex(text) || text == new string('0', 32))
        {
            problem = $"{machineIdFile} does not hold a machine id (32 hex digits)";
            return false;
        }

        var hash = HMACSHA256.HashData(Convert.FromHexString(text), ApplicationId);
        deviceId = Convert.ToHexStringLower(hash.AsSpan(0, 16));
        problem = string.Empty;
        return true;
    }

    private static bool IsLowerHex(string text)
    {
        foreach (var c in text)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }
}
