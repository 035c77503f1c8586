namespace StepAudio.Engine.Tts;

/// <summary>What a Step-Audio TTS control tag asks for (STEP-AUDIO.md section 4).</summary>
public enum ControlTagKind
{
    /// <summary>高兴, 生气, 悲伤, 撒娇 with an intensity.</summary>
    Emotion,

    /// <summary>中文, 英文, 韩语, 日语, 四川话, 粤语, 广东话.</summary>
    Language,

    /// <summary>慢速, 快速 with an intensity.</summary>
    Speed,

    /// <summary>RAP or 哼唱: singing, with the music vocoder.</summary>
    Music,
}

/// <summary>A recognised leading control tag.</summary>
/// <param name="Kind">What it controls.</param>
/// <param name="Name">The tag's word, e.g. <c>高兴</c>, <c>RAP</c>.</param>
/// <param name="Intensity">1 or 2 where the tag takes one.</param>
/// <param name="Written">The tag exactly as written, brackets included.</param>
public sealed record ControlTag(ControlTagKind Kind, string Name, int? Intensity, string Written)
{
    /// <summary>True for RAP and 哼唱: a singing prompt and the music vocoder.</summary>
    public bool IsSinging => Kind == ControlTagKind.Music;

    /// <summary>True for 哼唱 (humming) rather than rap.</summary>
    public bool IsHumming => Kind == ControlTagKind.Music && Name == "哼唱";
}

/// <summary>A reply sentence and the tag that governs it.</summary>
/// <param name="Tag">The recognised leading tag; null when there is none.</param>
/// <param name="UnknownTag">A leading bracketed word that is not a Step-Audio tag (kept in the text).</param>
/// <param name="Text">The text as it goes to the TTS model: the tag stays in front, as the model reads it.</param>
public readonly record struct TaggedText(ControlTag? Tag, string? UnknownTag, string Text);
