using StepAudio.Appliance.Models;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Models;

namespace StepAudio.TestSupport;

/// <summary>
/// The pinned public models, fetched and verified once per test run into the shared cache
/// (deploy.sh fetches them before the tests; this is a no-op then).
/// </summary>
public sealed class ModelsFixture
{
    public ModelsFixture()
    {
        Store = new ModelStore(ModelStore.DefaultCacheDirectory());
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        new ModelFetcher(http, Store).FetchAllAsync().GetAwaiter().GetResult();
        Factory = new OnnxSessionFactory();
    }

    public ModelStore Store { get; }

    public OnnxSessionFactory Factory { get; }

    public string PathOf(string name) => Store.GetVerifiedPath(name);
}
