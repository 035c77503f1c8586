namespace StepAudio.Appliance.Hardware.LedRing;

/// <summary>
/// The ring's look for each <see cref="DeviceLedState"/>: a pure function of the state, the time since
/// the state began and the brightness. Positions come from integer milliseconds so the same inputs
/// always give the same bytes; nothing here allocates.
/// </summary>
public static class LedAnimator
{
    /// <summary>One revolution of the thinking comet.</summary>
    public const int ThinkingRevolutionMs = 1000;

    /// <summary>One full breath of the speaking pulse.</summary>
    public const int SpeakingPulseMs = 1200;

    /// <summary>One revolution of the updating segment.</summary>
    public const int UpdatingRevolutionMs = 1500;

    /// <summary>One on/off cycle of the offline blink (on for the first half).</summary>
    public const int OfflineBlinkMs = 2000;

    /// <summary>One on/off cycle of the error blink (on for the first half).</summary>
    public const int ErrorBlinkMs = 400;

    /// <summary>One slow breath of the follow-up glow.</summary>
    public const int FollowUpBreathMs = 3000;

    /// <summary>The follow-up glow breathes between this share of full intensity and twice it: clearly dimmer than listening.</summary>
    public const float FollowUpLevel = 0.2f;

    /// <summary>The speaking pulse never goes darker than this share of full intensity.</summary>
    public const float SpeakingFloor = 0.25f;

    /// <summary>The ring behind the updating segment glows at this share of full intensity.</summary>
    public const float UpdatingBackground = 0.125f;

    private static readonly LedColor Blue = new(0, 0, 255);
    private static readonly LedColor Violet = new(128, 0, 255);
    private static readonly LedColor Cyan = new(0, 255, 255);
    private static readonly LedColor Red = new(255, 0, 0);
    private static readonly LedColor Amber = new(255, 96, 0);
    private static readonly LedColor Green = new(0, 255, 0);

    /// <summary>Writes the colours of every LED in <paramref name="pixels"/> (LED 0 first).</summary>
    /// <param name="state">What the appliance is doing.</param>
    /// <param name="sinceChange">Time since the ring entered <paramref name="state"/>; negative counts as zero.</param>
    /// <param name="brightness">Overall brightness 0..1, applied to every colour.</param>
    /// <param name="pixels">The frame to fill.</param>
    public static void Render(DeviceLedState state, TimeSpan sinceChange, float brightness, Span<LedColor> pixels)
    {
        var ms = Math.Max(0, sinceChange.Ticks / TimeSpan.TicksPerMillisecond);
        var level = Math.Clamp(brightness, 0f, 1f);
        switch (state)
        {
            case DeviceLedState.Idle:
                pixels.Clear();
                break;
            case DeviceLedState.Listening:
                pixels.Fill(Blue.Scale(level));
                break;
            case DeviceLedState.Thinking:
                Comet(pixels, ms, level);
                break;
            case DeviceLedState.Speaking:
                var phase = (ms % SpeakingPulseMs) / (float)SpeakingPulseMs;
                var breath = 0.5f - (0.5f * MathF.Cos(2f * MathF.PI * phase));
                pixels.Fill(Cyan.Scale((SpeakingFloor + ((1f - SpeakingFloor) * breath)) * level));
                break;
            case DeviceLedState.Muted:
                pixels.Fill(Red.Scale(level));
                break;
            case DeviceLedState.Offline:
                pixels.Fill(ms % OfflineBlinkMs < OfflineBlinkMs / 2 ? Amber.Scale(level) : LedColor.Off);
                break;
            case DeviceLedState.Updating:
                Spinner(pixels, ms, level);
                break;
            case DeviceLedState.FollowUp:
                var glow = 0.5f - (0.5f * MathF.Cos(2f * MathF.PI * (ms % FollowUpBreathMs) / FollowUpBreathMs));
                pixels.Fill(Blue.Scale(FollowUpLevel * (1f + glow) * level));
                break;
            case DeviceLedState.Error:
                pixels.Fill(ms % ErrorBlinkMs < ErrorBlinkMs / 2 ? Red.Scale(level) : LedColor.Off);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(state), state, "not a DeviceLedState");
        }
    }

    /// <summary>The LED a rotation has reached: one step per LED, a full turn per <paramref name="revolutionMs"/>.</summary>
    private static int Head(long ms, int count, int revolutionMs) => (int)(ms % revolutionMs * count / revolutionMs);

    private static void Comet(Span<LedColor> pixels, long ms, float level)
    {
        var count = pixels.Length;
        var head = Head(ms, count, ThinkingRevolutionMs);
        var tail = Math.Max(1, count / 4);
        for (var i = 0; i < count; i++)
        {
            // Distance behind the head, going backwards round the ring; the tail fades linearly.
            var behind = (head - i + count) % count;
            pixels[i] = behind > tail ? LedColor.Off : Violet.Scale((1f - (behind / (float)(tail + 1))) * level);
        }
    }

    private static void Spinner(Span<LedColor> pixels, long ms, float level)
    {
        var count = pixels.Length;
        var head = Head(ms, count, UpdatingRevolutionMs);
        var segment = Math.Max(1, count / 4);
        var lit = Green.Scale(level);
        var background = Green.Scale(UpdatingBackground * level);
        for (var i = 0; i < count; i++)
        {
            pixels[i] = (head - i + count) % count < segment ? lit : background;
        }
    }
}
