using System.Text;
using BenchmarkDotNet.Attributes;
using System.Net.ServerSentEvents;
using StepAudio.Engine.Link;

namespace StepAudio.Benchmarks.Link;

/// <summary>
/// Per-token cost of reading the GPU server's SSE streams: framing, chunk JSON and, for TTS, the
/// <c>&lt;audio_N&gt;</c> parser. The bodies are vLLM-shaped chunks in a MemoryStream, so only parsing is timed.
/// Each stream is also read with .NET's own <c>System.Net.ServerSentEvents</c> parser (<c>Bcl*</c>) feeding the same
/// chunk parser, to show which framing is cheaper.
/// </summary>
[MemoryDiagnoser]
public class SseParseBenchmarks
{
    private const int Events = 2000;

    private MemoryStream _ttsStream = null!;
    private MemoryStream _ttsSplitStream = null!;
    private MemoryStream _chatStream = null!;
    private readonly int[] _ids = new int[64];

    [GlobalSetup]
    public void Setup()
    {
        _ttsStream = Body(i => $$"""{"id":"cmpl-1","object":"text_completion","created":1,"model":"step-audio-tts","choices":[{"index":0,"text":"{{AudioTokenText.Format(Id(i))}}","logprobs":null,"finish_reason":null,"stop_reason":null}],"usage":null}""");
        _chatStream = Body(i => $$"""{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"step-audio-chat","choices":[{"index":0,"delta":{"content":" word{{i % 100}}"},"logprobs":null,"finish_reason":null}]}""");

        // The same audio tokens cut into 5-character events, so most tokens straddle two events.
        string all = string.Concat(Enumerable.Range(0, Events).Select(i => AudioTokenText.Format(Id(i))));
        var pieces = new List<string>();
        for (int i = 0; i < all.Length; i += 5)
        {
            pieces.Add(all.Substring(i, Math.Min(5, all.Length - i)));
        }

        _ttsSplitStream = Body(pieces.Count, i => $$"""{"choices":[{"index":0,"text":"{{pieces[i]}}","finish_reason":null}]}""");
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public async Task<int> TtsAudioTokenPerEvent() => await ReadAudioAsync(_ttsStream);

    [Benchmark(OperationsPerInvoke = Events)]
    public async Task<int> TtsAudioTokensSplitAcrossEvents() => await ReadAudioAsync(_ttsSplitStream);

    [Benchmark(OperationsPerInvoke = Events)]
    public async Task<int> ChatDeltaPerEvent()
    {
        _chatStream.Position = 0;
        using var reader = new SseEventReader(_chatStream);
        int chars = 0;
        while (await reader.ReadEventAsync() && !reader.IsDone)
        {
            chars += reader.ParseCompletionChunk().Text.Length;
        }

        return chars;
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public async Task<int> BclTtsAudioTokenPerEvent() => await ReadAudioWithBclAsync(_ttsStream);

    [Benchmark(OperationsPerInvoke = Events)]
    public async Task<int> BclTtsAudioTokensSplitAcrossEvents() => await ReadAudioWithBclAsync(_ttsSplitStream);

    [Benchmark(OperationsPerInvoke = Events)]
    public async Task<int> BclChatDeltaPerEvent()
    {
        _chatStream.Position = 0;
        var chunk = new CompletionChunk();
        var chars = 0;
        var parser = SseParser.Create(_chatStream, (_, data) =>
        {
            if (data.SequenceEqual(Done))
            {
                return -1;
            }

            CompletionChunkParser.Parse(data, chunk);
            return chunk.Text.Length;
        });
        await foreach (var item in parser.EnumerateAsync())
        {
            if (item.Data < 0)
            {
                break;
            }

            chars += item.Data;
        }

        return chars;
    }

    private static ReadOnlySpan<byte> Done => "[DONE]"u8;

    private async Task<int> ReadAudioWithBclAsync(MemoryStream stream)
    {
        stream.Position = 0;
        var chunk = new CompletionChunk();
        var audio = new AudioTokenParser();
        var ids = _ids;
        var parser = SseParser.Create(stream, (_, data) =>
        {
            if (data.SequenceEqual(Done))
            {
                return -1;
            }

            CompletionChunkParser.Parse(data, chunk);
            var count = audio.Feed(chunk.Text, ids);
            var sum = 0;
            for (var i = 0; i < count; i++)
            {
                sum += ids[i];
            }

            return sum;
        });
        var total = 0;
        await foreach (var item in parser.EnumerateAsync())
        {
            if (item.Data < 0)
            {
                break;
            }

            total += item.Data;
        }

        return total;
    }

    private async Task<int> ReadAudioAsync(MemoryStream stream)
    {
        stream.Position = 0;
        using var reader = new SseEventReader(stream);
        var parser = new AudioTokenParser();
        int sum = 0;
        while (await reader.ReadEventAsync() && !reader.IsDone)
        {
            int count = parser.Feed(reader.ParseCompletionChunk().Text, _ids);
            for (int i = 0; i < count; i++)
            {
                sum += _ids[i];
            }
        }

        return sum;
    }

    private static int Id(int i) => i % 5 < 2 ? i * 7 % 1024 : 1024 + i * 13 % 4096;

    private static MemoryStream Body(Func<int, string> chunk) => Body(Events, chunk);

    private static MemoryStream Body(int count, Func<int, string> chunk)
    {
        var text = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            text.Append("data: ").Append(chunk(i)).Append("\n\n");
        }

        text.Append("data: [DONE]\n\n");
        return new MemoryStream(Encoding.UTF8.GetBytes(text.ToString()), writable: false);
    }
}
