using System.Diagnostics.CodeAnalysis;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace StepAudio.Ops.Fleet;

/// <summary>
/// TLS towards a fleet broker pinned to one CA file instead of the OS store, for the device's link and the operator's
/// console alike: loading the PEM files and checking a presented certificate against the pin. Problems come back as
/// text for the caller to put behind the setting or flag that named the file.
/// </summary>
public static class PinnedCa
{
    /// <summary>Reads the PEM certificates of <paramref name="file"/>; false, with the reason, when there are none or it cannot be read.</summary>
    public static bool TryLoad(string file, [NotNullWhen(true)] out X509Certificate2Collection? pinned, [NotNullWhen(false)] out string? problem)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(file);
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPemFile(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            (pinned, problem) = (null, $"cannot be used as the pinned CA: {ex.Message}");
            return false;
        }

        if (collection.Count == 0)
        {
            (pinned, problem) = (null, "holds no PEM certificate.");
            return false;
        }

        (pinned, problem) = (collection, null);
        return true;
    }

    /// <summary>Loads a PEM client certificate with its key; false, with the reason, when the pair cannot be used.</summary>
    public static bool TryLoadClientCertificate(
        string certificateFile, string? keyFile, [NotNullWhen(true)] out X509Certificate2? certificate, [NotNullWhen(false)] out string? problem)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(certificateFile);
        try
        {
            (certificate, problem) = (X509Certificate2.CreateFromPemFile(certificateFile, keyFile), null);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            (certificate, problem) = (null, $"cannot be loaded: {ex.Message}");
            return false;
        }
    }

    /// <summary>
    /// True when the handshake's only complaint is the chain: expected, since the fleet CA is not in the OS store, and
    /// checked by <see cref="ChainsTo"/>. A name mismatch is never forgiven.
    /// </summary>
    public static bool OnlyChainErrors(SslPolicyErrors errors) => (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;

    /// <summary>True when <paramref name="presented"/> chains to one of <paramref name="pinned"/>; else why not (the chain's statuses).</summary>
    public static bool ChainsTo(X509Certificate presented, X509Certificate2Collection pinned, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(presented);
        ArgumentNullException.ThrowIfNull(pinned);
        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(pinned);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain.Build(certificate))
        {
            problem = null;
            return true;
        }

        problem = $"the broker certificate '{certificate.Subject}' (issuer '{certificate.Issuer}') is not issued by the pinned CA: "
            + string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()));
        return false;
    }
}
