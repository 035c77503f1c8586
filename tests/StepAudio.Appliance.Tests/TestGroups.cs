using StepAudio.TestSupport;

namespace StepAudio.Appliance.Tests;

/// <summary>Tests that load the pinned public models share one verified cache.</summary>
[CollectionDefinition(Name)]
public sealed class PinnedModelsGroup : ICollectionFixture<ModelsFixture>, ICollectionFixture<ContractModelsFixture>
{
    public const string Name = "Pinned models";
}

/// <summary>The README's command blocks: the runnable one holds the stand-in server's documented port (8000) while it runs.</summary>
[CollectionDefinition(Name)]
public sealed class ReadmeGroup
{
    public const string Name = "README";
}
