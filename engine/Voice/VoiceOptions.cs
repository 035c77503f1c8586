using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using StepAudio.Engine.Models;
using StepAudio.Engine.Vocoder;

namespace StepAudio.Engine.Voice;

/// <summary>
/// The voice the device answers in: a short prompt recording, what it says, and the TTS system text;
/// optionally singing prompts and the music vocoder for RAP and 哼唱 replies.
/// </summary>
public sealed class VoiceOptions : IValidatableObject
{
    /// <summary>The prompt recording (WAV, any rate and channel count; a few seconds of clean speech).</summary>
    [Required]
    public string PromptWav { get; set; } = string.Empty;

    /// <summary>What the prompt recording says, word for word.</summary>
    [Required]
    public string PromptText { get; set; } = string.Empty;

    /// <summary>
    /// The TTS system text that names the speaker. The exact texts belong to the TTS model's assets
    /// (STEP-AUDIO.md section 4), so they are configuration, not code.
    /// </summary>
    [Required]
    public string SystemText { get; set; } = string.Empty;

    /// <summary>
    /// The device's style when a reply carries no control tag, written as a tag, e.g. <c>(慢速1)</c>
    /// or <c>(四川话)</c>; empty for none. Settable from the fleet.
    /// </summary>
    public string DefaultStyle { get; set; } = string.Empty;

    /// <summary>
    /// Where prepared speaker prompts (ids, CAM++ embedding, prompt mel) are kept between starts;
    /// empty for <see cref="DefaultCacheDirectory"/>.
    /// </summary>
    public string CacheDirectory { get; set; } = string.Empty;

    /// <summary>The <c>{speaker}RAP</c> prompt for (RAP) replies; null: the speaking prompt is kept.</summary>
    public SingingPromptOptions? Rap { get; set; }

    /// <summary>The <c>{speaker}哼唱</c> prompt for (哼唱) replies; null: the speaking prompt is kept.</summary>
    public SingingPromptOptions? Humming { get; set; }

    /// <summary>
    /// The music vocoder (CosyVoice-300M-25Hz-Music) for RAP and 哼唱 replies, loaded only when this
    /// section is present; null: singing uses the speech vocoder (logged once).
    /// </summary>
#pragma warning disable SYSLIB1212 // Validate() checks it, with every failure's path under MusicVocoder (the generated nested check drops the path).
    public VocoderOptions? MusicVocoder { get; set; }
#pragma warning restore SYSLIB1212

    /// <summary>The default style as a parsed tag; null when none is set.</summary>
    public Tts.ControlTag? DefaultStyleTag => string.IsNullOrWhiteSpace(DefaultStyle) ? null : Tts.ControlTagParser.Parse(DefaultStyle).Tag;

    /// <summary>
    /// The cache directory in force: <see cref="CacheDirectory"/> when set, else <c>voices</c> under
    /// the service's <paramref name="stateDirectory"/> when it has one, else <see cref="DefaultCacheDirectory"/>.
    /// </summary>
    public string ResolveCacheDirectory(string? stateDirectory = null) =>
        !string.IsNullOrWhiteSpace(CacheDirectory) ? CacheDirectory
        : !string.IsNullOrWhiteSpace(stateDirectory) ? Path.Combine(stateDirectory, "voices")
        : DefaultCacheDirectory();

    /// <summary>
    /// <c>voices</c> under systemd's <c>$STATE_DIRECTORY</c>, else under <c>$XDG_CACHE_HOME/stepaudio-edge</c>,
    /// else <c>~/.cache/stepaudio-edge/voices</c>.
    /// </summary>
    public static string DefaultCacheDirectory()
    {
        if (Environment.GetEnvironmentVariable("STATE_DIRECTORY") is { Length: > 0 } state)
        {
            // systemd may list several state directories separated by colons: the first is the service's own.
            return Path.Combine(state.Split(':')[0], "voices");
        }

        return Path.Combine(UserCache.Directory(), "voices");
    }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(DefaultStyle) && DefaultStyleTag is null)
        {
            yield return new ValidationResult(
                $"'{DefaultStyle}' is not a Step-Audio control tag; use one of {string.Join(", ", Tts.ControlTagParser.KnownTags)} in brackets, with 1 or 2 after emotions and speeds.",
                [nameof(DefaultStyle)]);
        }

        foreach (var failure in ValidateSinging(Rap, nameof(Rap), "RAP"))
        {
            yield return failure;
        }

        foreach (var failure in ValidateSinging(Humming, nameof(Humming), "哼唱"))
        {
            yield return failure;
        }

        if (MusicVocoder is { } music)
        {
            foreach (var failure in ValidateMusicVocoder(music))
            {
                yield return failure;
            }
        }
    }

    // The same attributes VocoderOptionsValidator checks, with each member's path under this section
    // (a fleet reads the path of a rejected setting from the member names).
    private static IEnumerable<ValidationResult> ValidateMusicVocoder(VocoderOptions music)
    {
        foreach (var (target, path) in new (object?, string)[] { (music, nameof(MusicVocoder)), (music.Inference, $"{nameof(MusicVocoder)}:{nameof(music.Inference)}") })
        {
            if (target is null)
            {
                continue;
            }

            var results = new List<ValidationResult>();
            Validator.TryValidateObject(target, new ValidationContext(target), results, validateAllProperties: true);
            foreach (var result in results)
            {
                var members = result.MemberNames.Select(member => $"{path}:{member}").ToArray();
                yield return new ValidationResult($"(music vocoder) {result.ErrorMessage}", members.Length > 0 ? members : [path]);
            }
        }
    }

    private static IEnumerable<ValidationResult> ValidateSinging(SingingPromptOptions? singing, string section, string tag)
    {
        if (singing is null)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(singing.PromptWav))
        {
            yield return new ValidationResult($"The ({tag}) singing prompt needs a PromptWav.", [$"{section}:{nameof(singing.PromptWav)}"]);
        }
        else if (!File.Exists(singing.PromptWav))
        {
            yield return new ValidationResult($"The ({tag}) singing prompt {singing.PromptWav} does not exist.", [$"{section}:{nameof(singing.PromptWav)}"]);
        }

        if (string.IsNullOrWhiteSpace(singing.PromptText))
        {
            yield return new ValidationResult($"The ({tag}) singing prompt needs a PromptText: what {singing.PromptWav} says or sings.", [$"{section}:{nameof(singing.PromptText)}"]);
        }

        if (string.IsNullOrWhiteSpace(singing.SystemText))
        {
            yield return new ValidationResult($"The ({tag}) singing prompt needs its SystemText (the TTS model's short singing system text).", [$"{section}:{nameof(singing.SystemText)}"]);
        }
    }
}

/// <summary>The attribute checks and <see cref="VoiceOptions.Validate"/>, generated.</summary>
[OptionsValidator]
public sealed partial class VoiceOptionsValidator : IValidateOptions<VoiceOptions>;
