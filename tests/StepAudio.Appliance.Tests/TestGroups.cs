using StepAudio.TestSupport;

namespace StepAudio.Appliance.Tests;

/// <summary>Tests that load the pinned public models share one verified cache.</summary>
[CollectionDefinition(Name)]
public sealed class PinnedModelsGroup : ICollectionFixture<ModelsFixture>, ICollectionFixture<ContractModelsFixture>
{
    public const string Name = "Pinned models";
}
