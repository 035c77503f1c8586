namespace StepAudio.Engine.Tools.Timers;

/// <summary>One running timer.</summary>
/// <param name="Id">Short id the model can cancel it by.</param>
/// <param name="Label">What it is for ("pasta"); empty when none was given.</param>
/// <param name="DueAt">When it rings (UTC).</param>
/// <param name="Duration">How long it was set for.</param>
public sealed record TimerEntry(string Id, string Label, DateTimeOffset DueAt, TimeSpan Duration);
