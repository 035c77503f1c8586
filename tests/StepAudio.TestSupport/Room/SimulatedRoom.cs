namespace StepAudio.TestSupport.Room;

/// <summary>
/// A room with the device in it, run block by block in audio time: what the loudspeaker plays
/// reaches the microphone through the room's impulse response (delayed and reverberant), talkers
/// are heard through their own path, and a little noise is always there. The test drives it with
/// the same blocks it writes to the playback reference, so stopping playback stops the echo.
/// </summary>
public sealed class SimulatedRoom
{
    private readonly StreamingConvolver _echoPath;
    private readonly StreamingConvolver _talkerPath;
    private readonly List<(float[] Clip, long At, float Gain)> _talkers = [];
    private readonly Random _noise;
    private readonly float _noiseLevel;
    private readonly float[] _talkerBlock;
    private long _position;

    /// <param name="echoResponse">Loudspeaker to microphone.</param>
    /// <param name="noiseLevel">Standard deviation of the room's white noise (full scale 1).</param>
    /// <param name="seed">Noise seed and the talker's path.</param>
    public SimulatedRoom(float[] echoResponse, float noiseLevel = 3e-4f, int seed = 7, int maxBlock = 4096)
    {
        _echoPath = new StreamingConvolver(echoResponse, maxBlock);
        _talkerPath = new StreamingConvolver(RoomImpulseResponse.Synthesize(delaySamples: 40, rt60Seconds: 0.3, directGain: 1f, lengthMs: 200, seed: seed + 100), maxBlock);
        _noise = new Random(seed);
        _noiseLevel = noiseLevel;
        _talkerBlock = new float[maxBlock];
    }

    /// <summary>Samples captured so far.</summary>
    public long Position => _position;

    /// <summary>A person says <paramref name="clip"/> (16 kHz) starting at capture sample <paramref name="at"/>.</summary>
    public void AddTalker(float[] clip, long at, float gain = 1f) => _talkers.Add((clip, at, gain));

    /// <summary>
    /// One block: <paramref name="played"/> is what the loudspeaker played during it; <paramref name="captured"/>
    /// receives the microphone's signal. <paramref name="echoOnly"/>, when given, receives just the echo (for ERLE).
    /// </summary>
    public void Capture(ReadOnlySpan<float> played, Span<float> captured, Span<float> echoOnly = default)
    {
        captured.Clear();
        _echoPath.AddTo(played, captured);
        if (!echoOnly.IsEmpty)
        {
            captured.CopyTo(echoOnly);
        }

        var talker = _talkerBlock.AsSpan(0, captured.Length);
        talker.Clear();
        foreach (var (clip, at, gain) in _talkers)
        {
            for (var i = 0; i < talker.Length; i++)
            {
                var index = _position + i - at;
                if (index >= 0 && index < clip.Length)
                {
                    talker[i] += clip[index] * gain;
                }
            }
        }

        _talkerPath.AddTo(talker, captured);
        for (var i = 0; i < captured.Length; i++)
        {
            captured[i] += _noiseLevel * (float)Gaussian();
        }

        _position += captured.Length;
    }

    private double Gaussian()
    {
        var u1 = 1.0 - _noise.NextDouble();
        var u2 = _noise.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
