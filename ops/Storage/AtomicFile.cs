using System.Runtime.InteropServices;

namespace StepAudio.Ops.Storage;

/// <summary>
/// Replaces a file so that a crash or power cut leaves either the old or the new content, never
/// a mix: write a temp file beside it, fsync it, rename it over the target, fsync the directory.
/// </summary>
public static partial class AtomicFile
{
    /// <summary>The suffix of the temp file; a leftover one is the trace of an interrupted write.</summary>
    public const string TempSuffix = ".tmp";

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> atomically and durably.</summary>
    /// <param name="path">The target file.</param>
    /// <param name="content">The new content.</param>
    /// <param name="beforeRename">Called once the temp file is durable and before the rename: where a power cut hurts most (tests cut there).</param>
    public static void Write(string path, ReadOnlySpan<byte> content, Action<string>? beforeRename = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        var temp = full + TempSuffix;
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        beforeRename?.Invoke(temp);
        File.Move(temp, full, overwrite: true);
        SyncDirectory(directory);
    }

    /// <summary>fsyncs a directory so a rename or unlink inside it survives a power cut.</summary>
    public static void SyncDirectory(string directory)
    {
        var fd = Native.Open(directory, Native.ReadOnly | Native.Directory);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory '{directory}' to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Native.Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Native.Close(fd);
        }
    }

    private static partial class Native
    {
        public const int ReadOnly = 0;

        // O_DIRECTORY differs between the kernel's x86 and arm ABIs.
        public static readonly int Directory = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;

        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static partial int Fsync(int fd);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        public static partial int Close(int fd);
    }
}
