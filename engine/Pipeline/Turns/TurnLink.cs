using StepAudio.Engine.Link;
using StepAudio.Engine.Tools;

namespace StepAudio.Engine.Pipeline.Turns;

/// <summary>What a turn asks the GPU server through.</summary>
/// <param name="Client">The link: chat and TTS streams.</param>
/// <param name="TtsPrompts">Builds each TTS request's prompt from the voice and the sentence.</param>
/// <param name="Tools">The tools every chat request offers; none when null.</param>
public sealed record TurnLink(GpuServerClient Client, TtsPromptBuilder TtsPrompts, ToolConversation? Tools = null);
