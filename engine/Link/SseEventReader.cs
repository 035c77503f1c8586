using System.Buffers;
using System.Runtime.CompilerServices;

namespace StepAudio.Engine.Link;

/// <summary>
/// Reads a <c>text/event-stream</c> body event by event: <c>data:</c> lines (several per event are
/// joined with "\n"), comments, CR, LF or CRLF line ends (also split across reads), and the
/// <c>[DONE]</c> marker. Buffers come from <see cref="ArrayPool{T}"/> and are reused, so a warm reader
/// allocates nothing per event. <see cref="ParseCompletionChunk"/> reads the OpenAI chunk inside an event.
/// The stream is not owned: dispose it separately.
/// </summary>
internal sealed class SseEventReader : IDisposable
{
    private const int InitialBufferSize = 16 * 1024;
    private static ReadOnlySpan<byte> DoneMarker => "[DONE]"u8;
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private readonly Stream _stream;
    private readonly int _maxEventBytes;
    private readonly CompletionChunk _chunk = new();
    private byte[] _buffer;
    private int _start;
    private int _end;
    private int _scanned;       // bytes after _start already known to hold no line end
    private bool _skipLineFeed; // the previous line ended in CR: a LF right after it belongs to it
    private bool _atStreamStart = true;
    private bool _endOfStream;
    private byte[] _data;
    private int _pendingLength; // data of the event being assembled, each line followed by '\n'
    private bool _pendingHasData;
    private int _eventLength;
    private bool _disposed;

    /// <param name="stream">The response body.</param>
    /// <param name="maxEventBytes">Longest line or event accepted before the stream counts as malformed.</param>
    public SseEventReader(Stream stream, int maxEventBytes = 1024 * 1024)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEventBytes, 64);
        _stream = stream;
        _maxEventBytes = maxEventBytes;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBufferSize, maxEventBytes));
        _data = ArrayPool<byte>.Shared.Rent(1024);
    }

    /// <summary>The data of the current event (valid until the next read).</summary>
    public ReadOnlySpan<byte> Data => _data.AsSpan(0, _eventLength);

    /// <summary>True when the current event is the <c>[DONE]</c> marker.</summary>
    public bool IsDone { get; private set; }

    /// <summary>Events read so far.</summary>
    public int EventCount { get; private set; }

    /// <summary>
    /// Moves to the next event that carries data. Returns false when the stream ends; an event cut
    /// off by the end of the stream is discarded, as the SSE specification says.
    /// </summary>
    /// <exception cref="GpuServerException">A line or event is longer than the limit (MalformedStream).</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> ReadEventAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        IsDone = false;
        while (true)
        {
            while (TryTakeLine(out int lineStart, out int lineLength))
            {
                if (ProcessLine(lineStart, lineLength))
                {
                    return true;
                }
            }

            if (_endOfStream)
            {
                return false;
            }

            MakeRoom();
            int read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _endOfStream = true;
                continue;
            }

            _end += read;
            if (_atStreamStart)
            {
                SkipByteOrderMark();
            }
        }
    }

    /// <summary>
    /// Parses the current event as an OpenAI streaming chunk (<c>choices[0].delta.content</c> for
    /// chat, <c>choices[0].text</c> for completions, <c>finish_reason</c>). The returned object is
    /// reused by the next call.
    /// </summary>
    /// <exception cref="GpuServerException">Not JSON or not a chunk (MalformedStream); the server put an error in the stream (HttpError).</exception>
    public CompletionChunk ParseCompletionChunk()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CompletionChunkParser.Parse(Data, _chunk);
        return _chunk;
    }

    /// <summary>Reads and discards the rest of the body so an HTTP/1.1 connection can be reused.</summary>
    public async ValueTask DrainAsync(int maxBytes, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int drained = 0;
        while (!_endOfStream && drained < maxBytes)
        {
            int read = await _stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
            _endOfStream = read == 0;
            drained += read;
        }

        _start = _end = _scanned = 0;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ArrayPool<byte>.Shared.Return(_buffer);
        ArrayPool<byte>.Shared.Return(_data);
        _chunk.Release();
    }

    private void SkipByteOrderMark()
    {
        int available = _end - _start;
        int compared = Math.Min(available, Utf8Bom.Length);
        if (!_buffer.AsSpan(_start, compared).SequenceEqual(Utf8Bom[..compared]))
        {
            _atStreamStart = false;
        }
        else if (available >= Utf8Bom.Length)
        {
            _start += Utf8Bom.Length;
            _scanned = 0;
            _atStreamStart = false;
        }
    }

    private bool TryTakeLine(out int lineStart, out int lineLength)
    {
        if (_skipLineFeed && _start < _end)
        {
            _skipLineFeed = false;
            if (_buffer[_start] == (byte)'\n')
            {
                _start++;
            }
        }

        int searchFrom = _start + _scanned;
        int found = _buffer.AsSpan(searchFrom, _end - searchFrom).IndexOfAny((byte)'\r', (byte)'\n');
        if (found < 0)
        {
            _scanned = _end - _start;
            lineStart = lineLength = 0;
            return false;
        }

        int lineEnd = searchFrom + found;
        lineStart = _start;
        lineLength = lineEnd - _start;
        _skipLineFeed = _buffer[lineEnd] == (byte)'\r';
        _start = lineEnd + 1;
        _scanned = 0;
        return true;
    }

    /// <summary>Returns true when the line completed an event.</summary>
    private bool ProcessLine(int lineStart, int lineLength)
    {
        ReadOnlySpan<byte> line = _buffer.AsSpan(lineStart, lineLength);
        if (line.IsEmpty)
        {
            return Dispatch();
        }

        if (line[0] == (byte)':')
        {
            return false; // comment, e.g. a keep-alive ping
        }

        int colon = line.IndexOf((byte)':');
        ReadOnlySpan<byte> field = colon < 0 ? line : line[..colon];
        ReadOnlySpan<byte> value = colon < 0 ? default : line[(colon + 1)..];
        if (!value.IsEmpty && value[0] == (byte)' ')
        {
            value = value[1..];
        }

        // "event", "id" and "retry" do not matter to an OpenAI stream; unknown fields are ignored by the spec.
        if (field.SequenceEqual("data"u8))
        {
            AppendData(value);
        }

        return false;
    }

    private bool Dispatch()
    {
        if (!_pendingHasData)
        {
            _pendingLength = 0;
            return false;
        }

        _eventLength = _pendingLength - 1; // drop the '\n' after the last data line
        _pendingLength = 0;
        _pendingHasData = false;
        IsDone = Data.SequenceEqual(DoneMarker);
        EventCount++;
        return true;
    }

    private void AppendData(ReadOnlySpan<byte> value)
    {
        int needed = _pendingLength + value.Length + 1;
        if (needed > _maxEventBytes)
        {
            throw new GpuServerException(GpuServerErrorKind.MalformedStream,
                $"SSE event data exceeds {_maxEventBytes} bytes; the server is not sending a token stream.");
        }

        if (needed > _data.Length)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _data.Length * 2));
            _data.AsSpan(0, _pendingLength).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_data);
            _data = larger;
        }

        value.CopyTo(_data.AsSpan(_pendingLength));
        _data[_pendingLength + value.Length] = (byte)'\n';
        _pendingLength = needed;
        _pendingHasData = true;
    }

    private void MakeRoom()
    {
        if (_start == _end)
        {
            _start = _end = _scanned = 0;
            return;
        }

        if (_end < _buffer.Length)
        {
            return;
        }

        int pending = _end - _start;
        if (_start > 0)
        {
            _buffer.AsSpan(_start, pending).CopyTo(_buffer);
        }
        else
        {
            if (_buffer.Length >= _maxEventBytes)
            {
                throw new GpuServerException(GpuServerErrorKind.MalformedStream,
                    $"SSE line exceeds {_maxEventBytes} bytes without a line end; the server is not sending a token stream.");
            }

            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, _maxEventBytes));
            _buffer.AsSpan(0, pending).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        _start = 0;
        _end = pending;
    }
}
