namespace StepAudio.TestSupport.Room;

/// <summary>What the device says in the room tests: espeak-ng sentences in several voices.</summary>
public static class RoomReplies
{
    /// <summary>How many different voices <see cref="Reply"/> cycles through.</summary>
    public const int Voices = 4;

    /// <summary>A few seconds of the device's voice: several espeak-ng voices, with short gaps.</summary>
    public static float[] Reply(int seed = 0)
    {
        string[] voices = ["en-us", "en-gb", "en-us+f3", "en-gb-x-rp"];
        string[] lines =
        [
            "Tomorrow will be sunny with a high of twenty three degrees.",
            "Your timer for the pasta has four minutes left.",
            "The next train to the city leaves at quarter past eight.",
            "I have set the living room lights to forty percent.",
        ];
        var voice = voices[seed % voices.Length];
        return SpeechClips.Concat(
            SpeechClips.Synthesize(lines[seed % lines.Length], voice, 165, 0.5f),
            SpeechClips.Silence(250),
            SpeechClips.Synthesize(lines[(seed + 1) % lines.Length], voice, 165, 0.5f));
    }

}
