using System.Text.Json;

namespace StepAudio.Engine.Tools.State;

/// <summary>
/// A small JSON document in the tools' state directory, replaced atomically: written to a temp file,
/// flushed to disk, then renamed over the old one, so a power cut leaves either the old or the new
/// document, never half of one.
/// </summary>
public sealed class ToolStateFile
{
    /// <param name="path">The document's absolute path; its directory is created on first write.</param>
    public ToolStateFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
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
        string temp = Path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                write(json);
            }

            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, Path, overwrite: true);
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
