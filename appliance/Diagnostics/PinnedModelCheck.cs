using StepAudio.Engine.Models;

namespace StepAudio.Appliance.Diagnostics;

/// <summary>One pinned public model: present in the cache and its sha256 as pinned.</summary>
public sealed class PinnedModelCheck(ModelStore store, PinnedModel model) : IDiagnosticCheck
{
    public string Name => $"model {model.Name}";

    public DiagnosticArea Area => DiagnosticArea.Models;

    public async Task<DiagnosticResult> RunAsync(CancellationToken cancellationToken)
    {
        // Hashing a few megabytes is file I/O; keep it off the caller's thread.
        var problem = await Task.Run(() => store.Check(model), cancellationToken);
        return problem is null
            ? DiagnosticResult.Pass(this, $"sha256 {model.Sha256[..12]} good ({store.PathOf(model)})")
            : DiagnosticResult.Fail(this, problem.Message);
    }
}
