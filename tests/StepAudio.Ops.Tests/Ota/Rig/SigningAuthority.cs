namespace StepAudio.Ops.Tests.Ota.Rig;

/// <summary>A development CA and a signing certificate under it, made with openssl like <c>deploy.sh bundle</c> does.</summary>
internal sealed class SigningAuthority
{
    private SigningAuthority(string caCert, string signCert, string signKey)
    {
        CaCertificate = caCert;
        SigningCertificate = signCert;
        SigningKey = signKey;
    }

    public string CaCertificate { get; }

    public string SigningCertificate { get; }

    public string SigningKey { get; }

    public static SigningAuthority Create(string directory, string name)
    {
        Directory.CreateDirectory(directory);
        var ca = Path.Combine(directory, "ca.cert.pem");
        var caKey = Path.Combine(directory, "ca.key.pem");
        var key = Path.Combine(directory, "signing.key.pem");
        var csr = Path.Combine(directory, "signing.csr");
        var cert = Path.Combine(directory, "signing.cert.pem");
        var ext = Path.Combine(directory, "signing.ext");
        Tool.Run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey, "-out", ca, "-days", "30",
            "-subj", $"/CN={name} development CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        Tool.Run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", $"/CN={name} bundle signing");
        File.WriteAllText(ext, "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
        Tool.Run("openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", caKey, "-CAcreateserial", "-out", cert, "-days", "30", "-extfile", ext);
        return new SigningAuthority(ca, cert, key);
    }
}
