namespace StepAudio.Engine.Vocoder.Flow;

/// <summary>
/// One flow pass as Step-Audio's <c>MaskedDiffWithXvec.inference</c> does it: prompt tokens then target
/// tokens through the encoder; prompt vectors stretched to the prompt mel's length and target vectors to
/// the target's frames; the regulator's convs; the prompt mel as condition; Euler with guidance; the
/// prompt's share of the result removed. The target may be a window of the utterance (streaming): the
/// caller says where it sits so noise and interpolation match the whole-utterance pass. When the profile's
/// encoder upsamples itself (v2: <see cref="VocoderProfile.EncoderFramesPerToken"/> = 2), its rows already
/// are mel frames, the interpolation is the identity, and the prompt mel is resized (nearest) to the
/// encoder's prompt frames as Step-Audio-EditX aligns <c>prompt_feat</c>.
/// </summary>
internal sealed class FlowChunkSynthesizer : IDisposable
{
    private readonly VocoderProfile _profile;
    private readonly FlowEncoderStage _encoder;
    private readonly FlowRegulatorStage _regulator;
    private readonly OnnxFlowEstimator _estimator;
    private readonly EulerFlowSolver _solver;
    private readonly int[] _promptTokens;
    private readonly int _promptSteps;
    private readonly float[] _promptMel; // frame-major [frames, bins]
    private readonly int _promptFrames;
    private readonly int _rowsPerStep;
    private readonly float[] _spks;
    private readonly ulong _seed;
    private float[] _noise = [];
    private float[] _cond = [];
    private float[] _result = [];
    private float[] _target = [];

    public FlowChunkSynthesizer(VocoderModels models, SpeakerPrompt prompt, float[] projectedSpeaker, ulong seed, int capacitySteps)
    {
        _profile = models.Profile;
        _promptTokens = prompt.FlowTokens;
        _promptSteps = prompt.FlowTokens.Length / _profile.TokenWidth;
        _rowsPerStep = _profile.EncoderFramesPerToken;
        if (_rowsPerStep == 1)
        {
            _promptMel = prompt.Mel;
            _promptFrames = prompt.MelFrames;
        }
        else
        {
            _promptFrames = _promptSteps * _rowsPerStep;
            _promptMel = ResizeNearest(prompt.Mel, prompt.MelFrames, _promptFrames, _profile.MelBins);
        }

        _spks = projectedSpeaker;
        _seed = seed;
        var capacityFrames = _promptFrames + _profile.FramesForTokens(capacitySteps) + 2;
        _encoder = new FlowEncoderStage(models.FlowEncoder, _profile.TokenWidth, _rowsPerStep, _profile.MelBins, _promptSteps + capacitySteps);
        _regulator = new FlowRegulatorStage(models.FlowRegulator, _profile.MelBins, capacityFrames);
        _estimator = new OnnxFlowEstimator(models.FlowEstimator);
        _solver = new EulerFlowSolver(_estimator, _profile.MelBins, _profile.FlowSteps, _profile.CfgRate, capacityFrames);
        EnsureCapacity(capacityFrames);
    }

    /// <summary>Mel frames the flow produces per flow token (<c>sample_rate / hop / token_rate</c>).</summary>
    public double FramesPerToken => _profile.SampleRate / (double)_profile.Hop / _profile.TokenRate;

    /// <summary>The whole utterance, exactly as the reference: target vectors stretched over <c>targetFrames</c> by torch's rule.</summary>
    public Span<float> SynthesizeWhole(ReadOnlySpan<int> target, int targetSteps, CancellationToken cancellationToken)
    {
        var frames = _profile.FramesForTokens(targetSteps);
        var scale = frames == 0 ? 1 : (double)(targetSteps * _rowsPerStep) / frames;
        return Synthesize(target, targetSteps, 0, frames, scale, 0, cancellationToken);
    }

    /// <summary>
    /// A window of the utterance: <paramref name="target"/> holds flow steps from <paramref name="firstStep"/>
    /// on, and the result covers absolute target frames <paramref name="firstFrame"/>.. for <paramref name="frames"/> frames.
    /// Returns channel-major <c>[bins, frames]</c>, valid until the next call (the caller may fade it in place).
    /// </summary>
    public Span<float> SynthesizeWindow(
        ReadOnlySpan<int> target, int targetSteps, long firstStep, long firstFrame, int frames, CancellationToken cancellationToken)
    {
        // In encoder rows: exactly 1 and 0 when the encoder upsamples to the mel rate itself.
        var scale = _rowsPerStep / FramesPerToken;
        var shift = (firstFrame * scale) - (firstStep * _rowsPerStep);
        return Synthesize(target, targetSteps, firstFrame, frames, scale, shift, cancellationToken);
    }

    public void Dispose()
    {
        _encoder.Dispose();
        _regulator.Dispose();
        _estimator.Dispose();
    }

    private Span<float> Synthesize(
        ReadOnlySpan<int> target, int targetSteps, long firstFrame, int frames, double scale, double shift, CancellationToken cancellationToken)
    {
        var bins = _profile.MelBins;
        if (frames <= 0 || targetSteps == 0)
        {
            return [];
        }

        var total = _promptFrames + frames;
        EnsureCapacity(total);
        _regulator.EnsureCapacity(total);
        var h = _encoder.Encode(_promptTokens, target, _promptSteps + targetSteps);

        // Prompt and target are stretched separately so the prompt ends exactly at its mel's last frame.
        var input = _regulator.Input;
        var promptRows = _promptSteps * _rowsPerStep;
        if (_promptSteps > 0)
        {
            LengthRegulator.Interpolate(h[..(promptRows * bins)], promptRows, bins, input, total, 0, _promptFrames);
        }

        LengthRegulator.Resample(h[(promptRows * bins)..], targetSteps * _rowsPerStep, bins, input, total, _promptFrames, frames, scale, shift);
        _regulator.Run(total);

        // Prompt frames use noise indices 0..Tm-1 and target frame f uses Tm + f, in every chunk.
        GaussianNoise.Fill(_seed, 0, _promptFrames, bins, _noise, total, 0);
        GaussianNoise.Fill(_seed, _promptFrames + firstFrame, frames, bins, _noise, total, _promptFrames);
        for (var c = 0; c < bins; c++)
        {
            var row = _cond.AsSpan(c * total, total);
            for (var f = 0; f < _promptFrames; f++)
            {
                row[f] = _promptMel[(f * bins) + c];
            }

            row[_promptFrames..].Clear();
        }

        _solver.Solve(_noise, _regulator.Output, _cond, _spks, total, _result, cancellationToken);
        for (var c = 0; c < bins; c++)
        {
            _result.AsSpan((c * total) + _promptFrames, frames).CopyTo(_target.AsSpan(c * frames, frames));
        }

        return _target.AsSpan(0, bins * frames);
    }

    /// <summary>torch <c>F.interpolate(mode='nearest')</c> along time: output frame i takes input frame floor(i * in / out).</summary>
    private static float[] ResizeNearest(float[] mel, int inFrames, int outFrames, int bins)
    {
        var resized = new float[outFrames * bins];
        if (inFrames == 0)
        {
            return resized;
        }

        var ratio = (double)inFrames / outFrames;
        for (var i = 0; i < outFrames; i++)
        {
            var source = Math.Min((int)Math.Floor(i * ratio), inFrames - 1);
            mel.AsSpan(source * bins, bins).CopyTo(resized.AsSpan(i * bins, bins));
        }

        return resized;
    }

    private void EnsureCapacity(int frames)
    {
        var size = _profile.MelBins * frames;
        if (size <= _noise.Length)
        {
            return;
        }

        size = Math.Max(size, _noise.Length * 3 / 2);
        _noise = new float[size];
        _cond = new float[size];
        _result = new float[size];
        _target = new float[size];
    }
}
