using StepAudio.Engine.Audio;
using StepAudio.Engine.Pipeline;

namespace StepAudio.Appliance.Output;

/// <summary>Reply audio to a WAV file (file mode). The header is completed on dispose.</summary>
internal sealed class WavFileOutput : IAudioOutput, IDisposable
{
    private readonly WavStreamWriter _writer;

    public WavFileOutput(string path, int sampleRate)
    {
        SampleRate = sampleRate;
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        _writer = new WavStreamWriter(File.Create(path), sampleRate, 1);
    }

    public int SampleRate { get; }

    /// <summary>Samples written.</summary>
    public long Written { get; private set; }

    public ValueTask WriteAsync(ReadOnlyMemory<float> samples, CancellationToken cancellationToken)
    {
        _writer.Write(samples.Span);
        Written += samples.Length;
        return ValueTask.CompletedTask;
    }

    public ValueTask CompleteReplyAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public void Dispose()
    {
        _writer.Complete();
        _writer.Dispose();
    }
}
