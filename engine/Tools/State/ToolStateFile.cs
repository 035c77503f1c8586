using System.Buffers;
using System.Text.Json;
using StepAudio.Engine.Storage;

namespace StepAudio.Engine.Tools.State;

/// <summary>
/// A small JSON document in the tools' state directory, replaced through an <see cref="IAtomicFileWriter"/>,
/// so a power cut leaves either the old or the new document, never half of one.
/// </summary>
internal sealed class ToolStateFile
{
    private readonly IAtomicFileWriter _writer;

    /// <param name="path">The document's absolute path; its directory is created on first write.</param>
    /// <param name="writer">How the document is replaced.</param>
    public ToolStateFile(string path, IAtomicFileWriter writer)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(writer);
        Path = System.IO.Path.GetFullPath(path);
        _writer = writer;
    }

    /// <summary>Where the document lives.</summary>
    public string Path { get; }

    /// <summary>The bytes of the document, or null when there is none yet.</summary>
    public byte[]? Read()
    {
        try
        {
            return File.ReadAllBytes(Path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Replaces the document with <paramref name="write"/>'s output.</summary>
    public void Write(Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string directory = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(directory);
        var document = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(document, new JsonWriterOptions { Indented = true }))
        {
            write(json);
        }

        _writer.Replace(Path, document.WrittenSpan);
    }
}

/// <summary>A state document exists but cannot be read; the message names the file and what is wrong.</summary>
public sealed class ToolStateException : Exception
{
    public ToolStateException()
    {
    }

    public ToolStateException(string message)
        : base(message)
    {
    }

    public ToolStateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
