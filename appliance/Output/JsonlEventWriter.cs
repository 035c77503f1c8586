using System.Text.Json;
using StepAudio.Engine.Pipeline.Events;

namespace StepAudio.Appliance.Output;

/// <summary>Writes every pipeline event as one JSON object per line: <c>{"type":..,"atMs":..,...fields}</c> (the README's events.jsonl).</summary>
internal sealed class JsonlEventWriter : IPipelineEventSink, IDisposable
{
    private readonly StreamWriter _writer;
    private readonly Lock _gate = new();

    public JsonlEventWriter(string path)
    {
        _writer = new StreamWriter(path, append: false) { AutoFlush = true };
    }

    public void OnEvent(PipelineEvent pipelineEvent)
    {
        ArgumentNullException.ThrowIfNull(pipelineEvent);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            pipelineEvent.WriteJson(json);
        }

        lock (_gate)
        {
            _writer.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        }
    }

    public void Dispose() => _writer.Dispose();
}
