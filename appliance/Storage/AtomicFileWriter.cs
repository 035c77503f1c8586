using StepAudio.Engine.Storage;
using StepAudio.Ops.Storage;

namespace StepAudio.Appliance.Storage;

/// <summary>The engine's files written the way every other file of the device is: <see cref="AtomicFile"/> (temp, fsync, rename, directory fsync).</summary>
public sealed class AtomicFileWriter : IAtomicFileWriter
{
    /// <summary>The writer; it holds no state.</summary>
    public static AtomicFileWriter Instance { get; } = new();

    /// <inheritdoc />
    public void Replace(string path, ReadOnlySpan<byte> content) => AtomicFile.Write(path, content);
}
