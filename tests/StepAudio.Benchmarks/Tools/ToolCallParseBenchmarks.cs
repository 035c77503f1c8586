using System.Text;
using BenchmarkDotNet.Attributes;
using StepAudio.Engine.Link;
using StepAudio.Engine.Link.Tools;

namespace StepAudio.Benchmarks.Tools;

/// <summary>
/// Per-fragment cost of a streamed tool call: SSE framing, the <c>delta.tool_calls</c> JSON and
/// assembly per index. The arguments arrive in 4-character fragments, as vLLM streams them.
/// </summary>
[MemoryDiagnoser]
public class ToolCallParseBenchmarks
{
    private const int Calls = 100;
    private const int EventsPerRun = Calls * 12; // the name fragment and 11 argument fragments per call
    private int _events;
    private MemoryStream _stream = null!;
    private readonly ToolCallAssembler _assembler = new();

    [GlobalSetup]
    public void Setup()
    {
        const string arguments = """{"location": "Hong Kong", "unit": "celsius"}""";
        var body = new StringBuilder();
        for (int call = 0; call < Calls; call++)
        {
            body.Append("data: ").Append($$$"""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_{{{call}}}","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}""").Append("\n\n");
            _events++;
            for (int i = 0; i < arguments.Length; i += 4)
            {
                string piece = arguments.Substring(i, Math.Min(4, arguments.Length - i)).Replace("\"", "\\\"", StringComparison.Ordinal);
                body.Append("data: ").Append($$$"""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{{{piece}}}"}}]},"finish_reason":null}]}""").Append("\n\n");
                _events++;
            }
        }

        if (_events != EventsPerRun)
        {
            throw new InvalidOperationException($"The body has {_events} events, not {EventsPerRun}.");
        }

        body.Append("data: [DONE]\n\n");
        _stream = new MemoryStream(Encoding.UTF8.GetBytes(body.ToString()));
    }

    /// <summary>Fragments parsed and assembled; the calls are built (one string each) as a finished stream would.</summary>
    [Benchmark(OperationsPerInvoke = EventsPerRun)]
    public async Task<int> ToolCallFragmentPerEvent()
    {
        _stream.Position = 0;
        using var reader = new SseEventReader(_stream);
        int built = 0;
        while (await reader.ReadEventAsync() && !reader.IsDone)
        {
            CompletionChunk chunk = reader.ParseCompletionChunk();
            if (chunk.ToolCallDeltaCount > 0 && !chunk.GetToolCallDelta(0).Id.IsEmpty && _assembler.Count > 0)
            {
                built += _assembler.Build().Count;
                _assembler.Reset();
            }

            _assembler.Add(chunk);
        }

        return built;
    }
}
