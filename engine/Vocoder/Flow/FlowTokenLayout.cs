namespace StepAudio.Engine.Vocoder.Flow;

/// <summary>How the TTS model's interleaved audio ids (0..5119: groups of 2 vq02 + 3 vq06) become the flow's input tokens.</summary>
public enum FlowTokenLayout
{
    /// <summary>
    /// The ids go to the flow unchanged (vq02 0..1023, vq06 1024..5119, 41.67 tokens/s). This is what
    /// Step-Audio's own TTS code does: it hands <c>output_ids - 65536</c> straight to the flow.
    /// </summary>
    Interleaved,

    /// <summary>Only the vq06 ids are kept, minus 1024 (0..4095, 25 tokens/s).</summary>
    Vq06Only,

    /// <summary>
    /// Step-Audio-EditX: each 5-id group becomes three (vq02, vq06) pairs; the vq02 side is padded with
    /// 1024 and the vq06 side is shifted by one (id - 1024 + 1025). Two ints per flow step.
    /// </summary>
    V2Pairs,
}
