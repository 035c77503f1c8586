using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StepAudio.Engine.Pipeline;
using StepAudio.Engine.Tts;
using StepAudio.Engine.Vocoder;

namespace StepAudio.Engine.Voice;

/// <summary>How a reply is voiced.</summary>
public enum VoiceStyle
{
    /// <summary>Speech: the speaking prompt and the speech vocoder.</summary>
    Speech,

    /// <summary>A (RAP) reply.</summary>
    Rap,

    /// <summary>A (哼唱) reply, or a singing reply whose text holds 哼唱.</summary>
    Humming,
}

/// <summary>The voice and vocoder for one TTS request.</summary>
/// <param name="Style">Speech, rap or humming.</param>
/// <param name="Voice">The prompt sent to the TTS model and the vocoder's conditioning.</param>
/// <param name="Vocoder">The vocoder that synthesises it.</param>
/// <param name="UsesMusicVocoder">True when <paramref name="Vocoder"/> is the music vocoder.</param>
public sealed record VoiceChoice(VoiceStyle Style, SpeakerVoice Voice, StreamingVocoder Vocoder, bool UsesMusicVocoder);

/// <summary>
/// Picks the prompt and vocoder for each TTS request (STEP-AUDIO.md section 4), deciding as Step-Audio's
/// <c>tts.py</c> does (<see cref="InstructionName"/>): a reply sings when its instruction is RAP or 哼唱, and that
/// instruction picks the singing prompt; the system text is the humming one whenever 哼唱 appears anywhere in a
/// singing text (upstream picks its vocal system prompt that way), so "(RAP)...哼唱..." raps with the humming
/// system text. A singing reply takes the singing prompt of its kind when one is configured, else the speaking
/// prompt (a cloned voice keeps its own), and the music vocoder when one is loaded, else the speech vocoder (said
/// once in the log).
/// </summary>
public sealed partial class VoiceSelector
{
    private const string HummingWord = "哼唱";
    private const string RapWord = "RAP";
    private static readonly char[] InstructionBrackets = ['(', ')', '（', '）'];
    private readonly ILogger _logger;
    private int _reportedNoMusicVocoder;

    /// <summary>A selector that only speaks: every reply gets <paramref name="voice"/> on <paramref name="vocoder"/>.</summary>
    public VoiceSelector(SpeakerVoice voice, StreamingVocoder vocoder, ILogger<VoiceSelector>? logger = null)
        : this(new VoiceChoice(VoiceStyle.Speech, voice, vocoder, false), null, null, null, logger)
    {
    }

    /// <param name="speech">The speaking voice on the speech vocoder.</param>
    /// <param name="singingFallback">The speaking prompt prepared for the music vocoder (null without one): singing without a singing prompt.</param>
    /// <param name="rap">The (RAP) prompt and its vocoder; null when none is configured.</param>
    /// <param name="humming">The (哼唱) prompt and its vocoder; null when none is configured.</param>
    /// <param name="logger">Says once that singing has no music vocoder.</param>
    /// <exception cref="ArgumentException">The vocoders' sample rates differ (a reply's audio runs through one resampler).</exception>
    public VoiceSelector(VoiceChoice speech, VoiceChoice? singingFallback, VoiceChoice? rap, VoiceChoice? humming, ILogger<VoiceSelector>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(speech);
        ArgumentNullException.ThrowIfNull(speech.Voice);
        ArgumentNullException.ThrowIfNull(speech.Vocoder);
        Speech = speech;
        var fallback = singingFallback ?? speech;
        Rap = rap ?? fallback with { Style = VoiceStyle.Rap };
        Humming = humming ?? fallback with { Style = VoiceStyle.Humming };
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        foreach (var choice in (VoiceChoice?[])[singingFallback, rap, humming])
        {
            if (choice is not null && choice.Vocoder.SampleRate != speech.Vocoder.SampleRate)
            {
                throw new ArgumentException(
                    $"The {choice.Style} voice's vocoder runs at {choice.Vocoder.SampleRate} Hz but the speech vocoder at {speech.Vocoder.SampleRate} Hz; the music vocoder must use the same rate.",
                    nameof(singingFallback));
            }
        }
    }

    /// <summary>Speech replies.</summary>
    public VoiceChoice Speech { get; }

    /// <summary>(RAP) replies: the rap prompt, or the speaking prompt when none is configured.</summary>
    public VoiceChoice Rap { get; }

    /// <summary>(哼唱) replies: the humming prompt, or the speaking prompt when none is configured.</summary>
    public VoiceChoice Humming { get; }

    /// <summary>The device's default style (from the speaking voice).</summary>
    public ControlTag? DefaultStyle => Speech.Voice.DefaultStyle;

    /// <summary>The choice for one TTS target text, as <see cref="ControlTagParser.Apply"/> produced it (tag in front).</summary>
    public VoiceChoice Select(TaggedText text)
    {
        var instruction = InstructionName(text.Text);
        VoiceChoice choice;
        if (instruction == RapWord)
        {
            choice = text.Text.Contains(HummingWord, StringComparison.Ordinal)
                ? Rap with { Voice = Rap.Voice with { SystemText = Humming.Voice.SystemText } }
                : Rap;
        }
        else if (instruction == HummingWord)
        {
            choice = Humming;
        }
        else
        {
            return Speech;
        }

        if (!choice.UsesMusicVocoder && Interlocked.Exchange(ref _reportedNoMusicVocoder, 1) == 0)
        {
            Log.NoMusicVocoder(_logger, instruction);
        }

        return choice;
    }

    /// <summary>
    /// The instruction of a TTS text as <c>tts.py</c>'s <c>detect_instruction_name</c> finds it: the regular
    /// expression <c>^([（\(][^\(\)()]*[）\)]).*$</c> (dot matches newlines) and its group stripped of
    /// <c>()（）</c>. The group must start at position 0; its inner class excludes only the ASCII brackets, so it
    /// runs greedily over full-width ones and ends at the last closing bracket before the first ASCII bracket:
    /// "（RAP）今天（开心）" yields "RAP）今天（开心", no instruction at all. Empty when nothing matches.
    /// </summary>
    public static string InstructionName(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0 || (text[0] != '(' && text[0] != '（'))
        {
            return string.Empty;
        }

        // The greedy run of the inner class: everything up to the first ASCII bracket.
        var run = 1;
        while (run < text.Length && text[run] != '(' && text[run] != ')')
        {
            run++;
        }

        // Backtracking from the longest run: an ASCII ')' right after it, else the last full-width '）' inside it.
        var close = run < text.Length && text[run] == ')' ? run : text.LastIndexOf('）', run - 1, run - 1);
        return close < 1 ? string.Empty : text[..(close + 1)].Trim(InstructionBrackets);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1706, Level = LogLevel.Warning,
            Message = "A {Tag} reply sings, but no music vocoder is configured (Voice:MusicVocoder): the speech vocoder is used")]
        public static partial void NoMusicVocoder(ILogger logger, string tag);
    }
}
