using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Link;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Vocoder;

namespace StepAudio.Engine.Pipeline;

/// <summary>
/// Speaks a streaming reply: the text is cut into sentences as it arrives, and each sentence goes
/// through the TTS model (audio ids streamed back) and the local streaming vocoder to the output,
/// while the chat model is still writing the next one.
/// </summary>
internal sealed class ReplySpeaker(
    TurnCoordinator owner,
    TtsPromptBuilder prompts,
    StreamingVocoder vocoder,
    SpeakerVoice voice,
    IAudioOutput output)
{
    private int _speaking;

    /// <summary>True from the start of a reply (or a say) until its audio has drained or it was cut off.</summary>
    public bool IsSpeaking => Volatile.Read(ref _speaking) > 0;

    public async Task<ReplySummary> SpeakAsync(ChatStream chat, TurnStamps latency, int turnId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _speaking);
        try
        {
            return await SpeakCoreAsync(chat, latency, turnId, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _speaking);
        }
    }

    private async Task<ReplySummary> SpeakCoreAsync(ChatStream chat, TurnStamps latency, int turnId, CancellationToken cancellationToken)
    {
        var sentences = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stopSpeaking = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var speaking = SpeakSentencesAsync(sentences.Reader, latency, turnId, stopSpeaking.Token);
        var text = new StringBuilder();
        var splitter = new SentenceSplitter();
        var count = 0;
        try
        {
            await foreach (var delta in chat.Text.ReadAllAsync(cancellationToken))
            {
                if (text.Length == 0)
                {
                    latency.FirstText = chat.FirstTokenStamp;
                    owner.Emit(new FirstTextToken(owner.Timeline.AtMs(chat.FirstTokenStamp), turnId, latency.Since(chat.RequestStamp, chat.FirstTokenStamp)));
                }

                text.Append(delta);
                foreach (var sentence in splitter.Push(delta))
                {
                    count = Enqueue(sentences.Writer, sentence, count, latency);
                }
            }

            if (splitter.Flush() is { } rest)
            {
                count = Enqueue(sentences.Writer, rest, count, latency);
            }
        }
        catch
        {
            await stopSpeaking.CancelAsync();
            throw;
        }
        finally
        {
            sentences.Writer.TryComplete();
            await ObserveQuietly(speaking);
        }

        var seconds = await speaking;
        if (count == 0)
        {
            throw new GpuServerException(GpuServerErrorKind.MalformedStream, "The chat model returned no text.");
        }

        await output.CompleteReplyAsync(cancellationToken);
        return new ReplySummary(text.ToString(), count, seconds);
    }

    private int Enqueue(ChannelWriter<string> writer, string sentence, int count, TurnStamps latency)
    {
        if (count == 0)
        {
            latency.FirstSentence = owner.Timeline.Stamp();
        }

        writer.TryWrite(sentence);
        return count + 1;
    }

    private static async Task ObserveQuietly(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The caller awaits the task again and sees the error; here it only must not leak.
        }
    }

    private async Task<double> SpeakSentencesAsync(ChannelReader<string> sentences, TurnStamps latency, int turnId, CancellationToken cancellationToken)
    {
        var resampler = vocoder.SampleRate == output.SampleRate ? null : new PolyphaseResampler(vocoder.SampleRate, output.SampleRate);
        var resampled = Array.Empty<float>();
        var seconds = 0.0;
        var first = true;
        Tts.ControlTag? replyTag = null;
        await foreach (var raw in sentences.ReadAllAsync(cancellationToken))
        {
            // The reply's leading tag holds for every sentence of it; TTS hears the tag in front.
            var tagged = Tts.ControlTagParser.Apply(raw, replyTag, Voices.DefaultStyle);
            replyTag ??= first ? Tts.ControlTagParser.Parse(raw).Tag : null;
            if (tagged.UnknownTag is { } unknown)
            {
                owner.ReportUnknownTag(unknown);
            }

            var sentence = tagged.Text;
            if (first)
            {
                latency.TtsRequest = owner.Timeline.Stamp();
                owner.Emit(new TtsRequested(owner.Timeline.NowMs, turnId, sentence));
            }

            var choice = Voices.Select(tagged);
            var promptIds = await prompts.BuildAsync(choice.Voice.SystemText, choice.Voice.PromptText, choice.Voice.PromptAudioIds, sentence, cancellationToken);
            using var session = choice.Vocoder.StartSession(choice.Voice.VocoderPrompt);
            var audioIds = ObserveFirstId(owner.Client.StreamTtsAsync(promptIds, cancellationToken), latency, turnId, first, cancellationToken);
            await foreach (var pcm in session.SynthesizeAsync(audioIds, cancellationToken))
            {
                seconds += pcm.Length / (double)vocoder.SampleRate;
                var chunk = pcm;
                if (resampler is not null)
                {
                    var needed = resampler.MaxOutputFor(pcm.Length);
                    if (resampled.Length < needed)
                    {
                        resampled = new float[needed];
                    }

                    chunk = resampled.AsMemory(0, resampler.Process(pcm.Span, resampled));
                }

                await output.WriteAsync(chunk, cancellationToken);
                if (first && latency.FirstAudioOut == 0)
                {
                    latency.FirstAudioOut = owner.Timeline.Stamp();
                    owner.Emit(new FirstAudioOut(owner.Timeline.NowMs, turnId, latency.Since(latency.FirstAudioToken, latency.FirstAudioOut)));
                }
            }

            first = false;
        }

        if (resampler is not null)
        {
            var tail = new float[resampler.MaxOutputFor(resampler.InputRate)];
            var count = resampler.Flush(tail);
            await output.WriteAsync(tail.AsMemory(0, count), cancellationToken);
        }

        return seconds;
    }

    private async IAsyncEnumerable<int> ObserveFirstId(
        IAsyncEnumerable<int> ids,
        TurnStamps latency,
        int turnId,
        bool firstSentence,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = false;
        await foreach (var id in ids.WithCancellation(cancellationToken))
        {
            if (!seen && firstSentence)
            {
                latency.FirstAudioToken = owner.Timeline.Stamp();
                owner.Emit(new FirstAudioToken(owner.Timeline.NowMs, turnId, latency.Since(latency.TtsRequest, latency.FirstAudioToken)));
            }

            seen = true;
            if (latency.FirstAudioOut == 0)
            {
                latency.LastAudioTokenBeforeOut = owner.Timeline.Stamp();
            }

            yield return id;
        }
    }

    /// <summary>
    /// The prompt and vocoder of each TTS request: speech, rap and humming each have theirs. Until
    /// the coordinator is given a selector, every reply is spoken in the voice given at construction.
    /// </summary>
    internal Voice.VoiceSelector Voices
    {
        get => _voices ??= new Voice.VoiceSelector(voice, vocoder);
        set => _voices = value ?? throw new ArgumentNullException(nameof(value));
    }

    private Voice.VoiceSelector? _voices;
}
