namespace StepAudio.TestSupport.Broker;

/// <summary>
/// A throwaway PKI made with openssl once per test run (EC P-256, two days): the fleet CA, a broker certificate for
/// 127.0.0.1, client certificates for the devices, and a rogue CA with a client certificate of its own.
/// </summary>
public sealed class TestCertificates
{
    private static readonly Lazy<TestCertificates> Shared = new(() => new TestCertificates(), LazyThreadSafetyMode.ExecutionAndPublication);

    private TestCertificates()
    {
        Directory = Path.Combine(Path.GetTempPath(), "stepaudio-ops-pki-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(Directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => System.IO.Directory.Delete(Directory, recursive: true);
        CreateCa("ca", "StepAudio Test Fleet CA");
        CreateLeaf("server", "127.0.0.1", "ca", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        CreateLeaf("device-a", "device-a", "ca", "extendedKeyUsage=clientAuth\n");
        CreateLeaf("device-b", "device-b", "ca", "extendedKeyUsage=clientAuth\n");
        CreateCa("rogue-ca", "Rogue CA");
        CreateLeaf("rogue-device-a", "device-a", "rogue-ca", "extendedKeyUsage=clientAuth\n");
    }

    public static TestCertificates Instance => Shared.Value;

    public string Directory { get; }

    public string CaFile => Crt("ca");

    public string RogueCaFile => Crt("rogue-ca");

    public string ServerCertificate => Crt("server");

    public string ServerKey => Key("server");

    public string Crt(string name) => Path.Combine(Directory, name + ".crt");

    public string Key(string name) => Path.Combine(Directory, name + ".key");

    private void CreateCa(string name, string commonName)
    {
        NewKey(name);
        ToolRunner.Run("openssl", "req", "-x509", "-new", "-key", Key(name), "-sha256", "-days", "2", "-subj", "/CN=" + commonName,
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", Crt(name));
    }

    private void CreateLeaf(string name, string commonName, string issuer, string extensions)
    {
        NewKey(name);
        var csr = Path.Combine(Directory, name + ".csr");
        var ext = Path.Combine(Directory, name + ".ext");
        File.WriteAllText(ext, "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyAgreement\n" + extensions);
        ToolRunner.Run("openssl", "req", "-new", "-key", Key(name), "-subj", "/CN=" + commonName, "-out", csr);
        ToolRunner.Run("openssl", "x509", "-req", "-in", csr, "-CA", Crt(issuer), "-CAkey", Key(issuer), "-CAcreateserial",
            "-days", "2", "-sha256", "-extfile", ext, "-out", Crt(name));
    }

    private void NewKey(string name) =>
        ToolRunner.Run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", Key(name));
}
