using StepAudio.Engine.Features;
using StepAudio.Engine.Inference;
using StepAudio.Engine.Tests.Features;
using StepAudio.Engine.Tokenizer;
using Xunit;

namespace StepAudio.Engine.Tests.Tokenizer;

public sealed class TokenizerSessionTests : IClassFixture<TokenizerFixture>
{
    private readonly TokenizerFixture _fixture;
    private readonly DualCodebookTokenizer _tokenizer;

    public TokenizerSessionTests(TokenizerFixture fixture)
    {
        _fixture = fixture;
        _tokenizer = fixture.Tokenizer;
    }

    [Fact]
    public async Task CompleteAsync_WhenStreamedWithRisingPeakAndSnapshots_ThenSameTokensAsWholeFile()
    {
        var signal = Crescendo(16000 * 3);
        var whole = await _tokenizer.TokenizeAsync(signal, CancellationToken.None);

        using var session = _tokenizer.StartSession();
        for (var start = 0; start < signal.Length; start += 480)
        {
            session.Append(signal.AsSpan(start, Math.Min(480, signal.Length - start)));
            if (start % 9600 == 0 && start > 0)
            {
                await session.SnapshotAsync(CancellationToken.None);
            }
        }

        var streamed = await session.CompleteAsync(CancellationToken.None);
        Assert.True(session.Restarts > 0, "The crescendo should have raised the peak after work was done.");
        Assert.Equal(whole.ToTokenString(), streamed.ToTokenString());
        Assert.Equal(whole.Vq02.ToArray(), streamed.Vq02.ToArray());
        Assert.Equal(whole.Vq06.ToArray(), streamed.Vq06.ToArray());
        Assert.True(whole.GroupCount > 10);
        Assert.True(whole.Vq02.ToArray().Distinct().Count() > 3, "The contract models should produce varied tokens.");
    }

    [Fact]
    public async Task SnapshotAsync_WhenMidTurn_ThenEqualsWholeFileOfThePrefixAndSessionContinues()
    {
        var signal = TestSignals.Synthetic(16000 * 2, seed: 21);
        using var session = _tokenizer.StartSession();
        session.Append(signal.AsSpan(0, 13000));
        var snapshot = await session.SnapshotAsync(CancellationToken.None);
        var prefix = await _tokenizer.TokenizeAsync(signal.AsMemory(0, 13000), CancellationToken.None);
        Assert.Equal(prefix.ToTokenString(), snapshot.ToTokenString());
        Assert.Equal(prefix.Vq02.ToArray(), snapshot.Vq02.ToArray());

        session.Append(signal.AsSpan(13000));
        var final = await session.CompleteAsync(CancellationToken.None);
        var whole = await _tokenizer.TokenizeAsync(signal, CancellationToken.None);
        Assert.Equal(whole.ToTokenString(), final.ToTokenString());
    }

    [Fact]
    public async Task SnapshotAsync_WhenLouderAudioArrivesBeforeItIsServed_ThenCoversOnlyTheAudioUpToTheRequest()
    {
        // The audio loop asks for a snapshot at a pause and goes on appending at once; the worker
        // may serve the request later. The snapshot must still be the pause's prefix, peak included.
        var signal = Crescendo(16000 * 3);
        var prefix = await _tokenizer.TokenizeAsync(signal.AsMemory(0, 20000), CancellationToken.None);

        using var session = _tokenizer.StartSession();
        session.Append(signal.AsSpan(0, 20000));
        var snapshot = session.SnapshotAsync(CancellationToken.None);
        session.Append(signal.AsSpan(20000));
        var complete = await session.CompleteAsync(CancellationToken.None);

        Assert.Equal(prefix.ToTokenString(), (await snapshot).ToTokenString());
        Assert.True(complete.GroupCount > prefix.GroupCount);
    }

    // FunASR's counts (Vq02FeaturePipelineTests explains them): 16000 samples end in a 640-sample piece whose 4 new
    // fbank frames and 1 held frame are fewer than 7, so the whole-utterance ceil(97 / 6) = 17 becomes 16.
    [Theory]
    [InlineData(3840 * 3, 12)]
    [InlineData((3840 * 3) + 500, 12)]
    [InlineData((3840 * 3) + 880, 13)]
    [InlineData(16000, 16)]
    [InlineData(399, 0)]
    public async Task CompleteAsync_WhenLengthVaries_ThenOneVq02TokenPerLfrFrameOfFunAsrsOnlineFrontEnd(int samples, int vq02)
    {
        var tokens = await _tokenizer.TokenizeAsync(TestSignals.Synthetic(samples), CancellationToken.None);
        Assert.Equal(vq02, tokens.Vq02.Length);
        var expectedVq06 = samples < WhisperLogMelAccumulator.MinSegmentSamples ? 0 : samples / 160 / 4;
        Assert.Equal(expectedVq06, tokens.Vq06.Length);
    }

    [Fact]
    public async Task CompleteAsync_WhenLongerThan30Seconds_ThenOneVq06RunPerSegment()
    {
        var signal = TestSignals.Synthetic((16000 * 31) + 1000, seed: 5);
        var tokens = await _tokenizer.TokenizeAsync(signal, CancellationToken.None);
        Assert.Equal((3000 / 4) + (17000 / 160 / 4), tokens.Vq06.Length);
    }

    [Fact]
    public async Task CompleteAsync_WhenCachesAreThreaded_ThenLaterTokensDependOnEarlierAudio()
    {
        var a = TestSignals.Synthetic(16000, seed: 1);
        var b = TestSignals.Synthetic(16000, seed: 1);
        for (var i = 0; i < 3840; i++)
        {
            b[i] = a[i] * 0.3f;
        }

        b[5000] = a[5000] = 0.9f;
        var tokensA = (await _tokenizer.TokenizeAsync(a, CancellationToken.None)).Vq02.ToArray();
        var tokensB = (await _tokenizer.TokenizeAsync(b, CancellationToken.None)).Vq02.ToArray();
        Assert.NotEqual(tokensA[8..], tokensB[8..]);
    }

    [Fact]
    public async Task Append_WhenSessionCompleted_ThenThrows()
    {
        using var session = _tokenizer.StartSession();
        session.Append(new float[1000]);
        await session.CompleteAsync(CancellationToken.None);
        Assert.Throws<InvalidOperationException>(() => session.Append(new float[10]));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await session.CompleteAsync(CancellationToken.None));
    }

    [Fact]
    public void Append_WhenTurnExceedsCapacity_ThenThrowsNamingTheLimit()
    {
        using var tokenizer = DualCodebookTokenizer.Load(TokenizerFixture.Options(_fixture.Directory, maxSeconds: 1), new OnnxSessionFactory());
        using var session = tokenizer.StartSession();
        session.Append(new float[16000]);
        var error = Assert.Throws<InvalidOperationException>(() => session.Append(new float[1]));
        Assert.Contains("MaxUtteranceSeconds", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SnapshotAsync_WhenCancelledBeforehand_ThenCancels()
    {
        using var session = _tokenizer.StartSession();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await session.SnapshotAsync(cts.Token));
    }

    [Fact]
    public async Task Append_WhenWarm_ThenAllocatesNothing()
    {
        using var session = _tokenizer.StartSession();
        var frame = TestSignals.Synthetic(480, seed: 8);
        for (var i = 0; i < 64; i++)
        {
            session.Append(frame);
        }

        await session.SnapshotAsync(CancellationToken.None);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 200; i++)
        {
            session.Append(frame);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task CompleteAsync_WhenInputHasNaN_ThenReportsTheSampleRange()
    {
        using var session = _tokenizer.StartSession();
        var samples = new float[4000];
        samples[123] = float.NaN;
        session.Append(samples);
        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await session.CompleteAsync(CancellationToken.None));
        Assert.Contains("non-finite", error.Message, StringComparison.Ordinal);
    }

    private static float[] Crescendo(int samples)
    {
        var signal = TestSignals.Synthetic(samples, seed: 13);
        for (var i = 0; i < samples; i++)
        {
            signal[i] *= 0.05f + (1.5f * i / samples);
        }

        return signal;
    }
}
