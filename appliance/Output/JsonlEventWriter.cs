using System.Text.Json;
using StepAudio.Engine.Pipeline;

namespace StepAudio.Appliance.Output;

/// <summary>Writes every pipeline event as one JSON object per line: <c>{"type":..,"atMs":..,...details}</c>.</summary>
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
            json.WriteStartObject();
            json.WriteString("type", pipelineEvent.Type);
            json.WriteNumber("atMs", pipelineEvent.AtMs);
            if (pipelineEvent.Details is { } details)
            {
                foreach (var (key, value) in details)
                {
                    json.WritePropertyName(key);
                    JsonSerializer.Serialize(json, value);
                }
            }

            json.WriteEndObject();
        }

        lock (_gate)
        {
            _writer.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        }
    }

    public void Dispose() => _writer.Dispose();
}
