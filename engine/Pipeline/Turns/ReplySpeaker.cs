using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StepAudio.Engine.Audio;
using StepAudio.Engine.Link;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Voice;

namespace StepAudio.Engine.Pipeline.Turns;

/// <summary>
/// Speaks a streaming reply: the text is cut into sentences as it arrives, and each sentence goes
/// through the TTS model (audio ids streamed back) and the local streaming vocoder to the output,
/// while the chat model is still writing the next one.
/// </summary>
/// <param name="context">The link, the clock and the event sink the reply reports to.</param>
/// <param name="prompts">Builds each sentence's TTS prompt.</param>
/// <param name="voices">
/// The prompt and vocoder of each TTS request: speech, rap and humming each have theirs; the speech
/// vocoder's rate is the reply's.
/// </param>
/// <param name="output">Where the reply is played.</param>
/// <param name="logger">Reports bracketed words that are not control tags.</param>
internal sealed partial class ReplySpeaker(
    TurnContext context,
    TtsPromptBuilder prompts,
    VoiceSelector voices,
    IAudioOutput output,
    ILogger logger)
{
    private readonly HashSet<string> _unknownTags = new(StringComparer.Ordinal);
    private int _speaking;

    /// <summary>True from the start of a reply (or a say) until its audio has drained or it was cut off.</summary>
    public bool IsSpeaking => Volatile.Read(ref _speaking) > 0;

    public async Task<ReplySummary> SpeakAsync(ChatStream chat, TurnStamps latency, int turnId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _speaking);
        try
        {
            return await SpeakCoreAsync(chat, latency, turnId, cancellationToken).ConfigureAwait(false);
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
            await foreach (var delta in chat.Text.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (text.Length == 0)
                {
                    latency.FirstText = chat.FirstTokenStamp;
                    context.Emit(new FirstTextToken(context.Timeline.AtMs(chat.FirstTokenStamp), turnId, latency.Since(chat.RequestStamp, chat.FirstTokenStamp)));
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
            await stopSpeaking.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            sentences.Writer.TryComplete();
            await ObserveQuietly(speaking).ConfigureAwait(false);
        }

        var seconds = await speaking.ConfigureAwait(false);
        if (count == 0)
        {
            throw new GpuServerException(GpuServerErrorKind.MalformedStream, "The chat model returned no text.");
        }

        await output.CompleteReplyAsync(cancellationToken).ConfigureAwait(false);
        return new ReplySummary(text.ToString(), count, seconds);
    }

    private int Enqueue(ChannelWriter<string> writer, string sentence, int count, TurnStamps latency)
    {
        if (count == 0)
        {
            latency.FirstSentence = context.Timeline.Stamp();
        }

        writer.TryWrite(sentence);
        return count + 1;
    }

    private static async Task ObserveQuietly(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The caller awaits the task again and sees the error; here it only must not leak.
        }
    }

    private async Task<double> SpeakSentencesAsync(ChannelReader<string> sentences, TurnStamps latency, int turnId, CancellationToken cancellationToken)
    {
        var sampleRate = voices.Speech.Vocoder.SampleRate;
        var resampler = sampleRate == output.SampleRate ? null : new PolyphaseResampler(sampleRate, output.SampleRate);
        var resampled = Array.Empty<float>();
        var seconds = 0.0;
        var first = true;
        Tts.ControlTag? replyTag = null;
        await foreach (var raw in sentences.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            // The reply's leading tag holds for every sentence of it; TTS hears the tag in front.
            var tagged = Tts.ControlTagParser.Apply(raw, replyTag, voices.DefaultStyle);
            replyTag ??= first ? Tts.ControlTagParser.Parse(raw).Tag : null;
            if (tagged.UnknownTag is { } unknown)
            {
                ReportUnknownTag(unknown);
            }

            var sentence = tagged.Text;
            if (first)
            {
                latency.TtsRequest = context.Timeline.Stamp();
                context.Emit(new TtsRequested(context.Timeline.NowMs, turnId, sentence));
            }

            var choice = voices.Select(tagged);
            var promptIds = await prompts.BuildAsync(choice.Voice.SystemText, choice.Voice.PromptText, choice.Voice.PromptAudioIds, sentence, cancellationToken).ConfigureAwait(false);
            using var session = choice.Vocoder.StartSession(choice.Voice.VocoderPrompt);
            var audioIds = ObserveFirstId(context.Client.StreamTtsAsync(promptIds, cancellationToken), latency, turnId, first, cancellationToken);
            await foreach (var pcm in session.SynthesizeAsync(audioIds, cancellationToken).ConfigureAwait(false))
            {
                seconds += pcm.Length / (double)sampleRate;
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

                await output.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
                if (first && latency.FirstAudioOut == 0)
                {
                    latency.FirstAudioOut = context.Timeline.Stamp();
                    context.Emit(new FirstAudioOut(context.Timeline.NowMs, turnId, latency.Since(latency.FirstAudioToken, latency.FirstAudioOut)));
                }
            }

            first = false;
        }

        if (resampler is not null)
        {
            var tail = new float[resampler.MaxOutputFor(resampler.InputRate)];
            var count = resampler.Flush(tail);
            await output.WriteAsync(tail.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
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
        await foreach (var id in ids.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (!seen && firstSentence)
            {
                latency.FirstAudioToken = context.Timeline.Stamp();
                context.Emit(new FirstAudioToken(context.Timeline.NowMs, turnId, latency.Since(latency.TtsRequest, latency.FirstAudioToken)));
            }

            seen = true;
            if (latency.FirstAudioOut == 0)
            {
                latency.LastAudioTokenBeforeOut = context.Timeline.Stamp();
            }

            yield return id;
        }
    }

    /// <summary>Logs a bracketed word that is not a control tag, once per word: it is spoken as text.</summary>
    private void ReportUnknownTag(string tag)
    {
        if (_unknownTags.Add(tag))
        {
            Log.UnknownTag(logger, tag);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Reply starts with ({Tag}), which is not a Step-Audio control tag; it is spoken as text")]
        public static partial void UnknownTag(ILogger logger, string tag);
    }
}
