namespace StepAudio.Engine.WakeWord;

/// <summary>A wake phrase was heard.</summary>
/// <param name="Keyword">The head that fired.</param>
/// <param name="Score">Its score, 0..1.</param>
/// <param name="EndSample">The 16 kHz sample position (since the detector started) at the end of the chunk that fired.</param>
public readonly record struct WakeWordDetection(string Keyword, float Score, long EndSample);
