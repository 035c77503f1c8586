namespace StepAudio.Engine.Storage;

/// <summary>
/// What the engine asks of the disk when it keeps a cache or a state file: a power cut during a
/// write leaves the old content or the new, never a mix. The device's writer lives at the edge
/// (the appliance), beside the fleet's and the update agent's, so there is one way files are replaced.
/// </summary>
public interface IAtomicFileWriter
{
    /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/>, durably; the directory must exist.</summary>
    /// <exception cref="IOException">The file could not be written; the old content is intact.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory is not writable; the old content is intact.</exception>
    void Replace(string path, ReadOnlySpan<byte> content);
}
