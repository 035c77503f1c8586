using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StepAudio.Appliance.Hosting;
using StepAudio.Engine.Link;

namespace StepAudio.Appliance.Tests.Hosting;

/// <summary>
/// Where the host finds a box's own settings: the site file in the state directory (the data
/// partition) and the secrets in systemd's credentials directory. In the models group because
/// every host build there reads the process environment this test sets.
/// </summary>
[Collection(PinnedModelsGroup.Name)]
public sealed class SiteConfigurationHostTests : IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), $"stepaudio-site-{Guid.NewGuid():N}");

    public SiteConfigurationHostTests() => Directory.CreateDirectory(_state);

    public void Dispose() => Directory.Delete(_state, recursive: true);

    [Fact]
    public void Build_WhenTheStateDirectoryHoldsSiteJson_ReadsIt()
    {
        File.WriteAllText(Path.Combine(_state, ApplianceHost.SiteConfigFileName), """{ "GpuServer": { "BaseAddress": "https://site.example:8000" } }""");

        using var host = ApplianceHost.Build(settings: Settings());

        Assert.Equal("https://site.example:8000", host.Services.GetRequiredService<IConfiguration>()["GpuServer:BaseAddress"]);
    }

    [Fact]
    public void Build_WhenSystemdHandsOverCredentials_TheyOverrideTheSiteFile()
    {
        File.WriteAllText(Path.Combine(_state, ApplianceHost.SiteConfigFileName), """{ "GpuServer": { "BaseAddress": "https://site.example:8000", "ApiKey": "from-site" } }""");
        var credentials = Directory.CreateDirectory(Path.Combine(_state, "run-credentials")).FullName;
        File.WriteAllText(Path.Combine(credentials, "stepaudio_GpuServer__ApiKey"), "from-credential\n");
        Environment.SetEnvironmentVariable("CREDENTIALS_DIRECTORY", credentials);
        try
        {
            using var host = ApplianceHost.Build(settings: Settings());

            var server = host.Services.GetRequiredService<IOptions<GpuServerOptions>>().Value;
            Assert.Equal("from-credential", server.ApiKey);
            Assert.Equal("https://site.example:8000", host.Services.GetRequiredService<IConfiguration>()["GpuServer:BaseAddress"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CREDENTIALS_DIRECTORY", null);
        }
    }

    private Dictionary<string, string?> Settings() => new()
    {
        ["Hosting:StateDirectory"] = _state,
        ["Hosting:Fleet"] = "false",
    };
}
