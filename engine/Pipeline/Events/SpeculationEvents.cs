using System.Text.Json;

namespace StepAudio.Engine.Pipeline.Events;

/// <summary>A pause started a chat request with the tokens so far.</summary>
/// <param name="Groups">Token groups it was asked with.</param>
public sealed record SpeculationStarted(double AtMs, int Turn, int Groups) : TurnEvent(AtMs, Turn)
{
    public override string Type => PipelineEventTypes.SpeculativeStart;

    protected override void WriteFields(Utf8JsonWriter json)
    {
        json.WriteNumber("turn", Turn);
        json.WriteNumber("groups", Groups);
    }
}

/// <summary>Speech resumed: the speculative request is cancelled.</summary>
public sealed record SpeculationCancelled(double AtMs, int Turn) : TurnEvent(AtMs, Turn)
{
    public override string Type => PipelineEventTypes.SpeculativeCancel;

    protected override void WriteFields(Utf8JsonWriter json) => json.WriteNumber("turn", Turn);
}

/// <summary>The turn ended with the speculation's tokens: its reply is used.</summary>
public sealed record SpeculationCommitted(double AtMs, int Turn, int Groups) : TurnEvent(AtMs, Turn)
{
    public override string Type => PipelineEventTypes.SpeculativeCommit;

    protected override void WriteFields(Utf8JsonWriter json)
    {
        json.WriteNumber("turn", Turn);
        json.WriteNumber("groups", Groups);
    }
}

/// <summary>Why a speculation was dropped at the end of its turn.</summary>
public enum SpeculationDiscardReason
{
    /// <summary>New speech changed the tokens (<c>tokens_changed</c>).</summary>
    TokensChanged,

    /// <summary>It never started or its request failed (<c>failed</c>).</summary>
    Failed,
}

/// <summary>At the end of the turn the speculation was not usable: it is cancelled and the turn asks anew.</summary>
/// <param name="Groups">Token groups it was asked with.</param>
/// <param name="FinalGroups">Token groups of the turn's final tokens.</param>
/// <param name="SharedGroups">Leading groups the two share.</param>
public sealed record SpeculationDiscarded(double AtMs, int Turn, SpeculationDiscardReason Reason, int Groups, int FinalGroups, int SharedGroups)
    : TurnEvent(AtMs, Turn)
{
    public override string Type => PipelineEventTypes.SpeculativeDiscard;

    protected override void WriteFields(Utf8JsonWriter json)
    {
        json.WriteNumber("turn", Turn);
        json.WriteString("reason", Reason == SpeculationDiscardReason.TokensChanged ? "tokens_changed" : "failed");
        json.WriteNumber("groups", Groups);
        json.WriteNumber("final_groups", FinalGroups);
        json.WriteNumber("shared_groups", SharedGroups);
    }
}
