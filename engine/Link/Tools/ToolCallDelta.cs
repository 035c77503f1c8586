using System.Buffers;

namespace StepAudio.Engine.Link.Tools;

/// <summary>
/// One <c>choices[0].delta.tool_calls[k]</c> entry of a streaming chunk: the call's index and the
/// fragments of its id, name and arguments this chunk carried. Buffers are pooled and reused by
/// the owning <see cref="CompletionChunk"/>; valid until its next read.
/// </summary>
public sealed class ToolCallDelta
{
    private char[] _id = [];
    private char[] _name = [];
    private char[] _arguments = [];
    private int _idLength;
    private int _nameLength;
    private int _argumentsLength;

    internal ToolCallDelta()
    {
    }

    /// <summary>Which call of the answer this fragment belongs to (<c>index</c>).</summary>
    public int Index { get; internal set; }

    /// <summary>The call id; vLLM sends it with the first fragment only.</summary>
    public ReadOnlySpan<char> Id => _id.AsSpan(0, _idLength);

    /// <summary>The function name (or a piece of it).</summary>
    public ReadOnlySpan<char> Name => _name.AsSpan(0, _nameLength);

    /// <summary>A piece of the JSON arguments.</summary>
    public ReadOnlySpan<char> Arguments => _arguments.AsSpan(0, _argumentsLength);

    internal enum Field
    {
        Id,
        Name,
        Arguments,
    }

    internal void Clear()
    {
        Index = 0;
        _idLength = 0;
        _nameLength = 0;
        _argumentsLength = 0;
    }

    internal Span<char> GetBuffer(Field field, int minimumLength) => field switch
    {
        Field.Id => Ensure(ref _id, minimumLength),
        Field.Name => Ensure(ref _name, minimumLength),
        _ => Ensure(ref _arguments, minimumLength),
    };

    internal void SetLength(Field field, int length)
    {
        switch (field)
        {
            case Field.Id:
                _idLength = length;
                break;
            case Field.Name:
                _nameLength = length;
                break;
            default:
                _argumentsLength = length;
                break;
        }
    }

    private static char[] Ensure(ref char[] buffer, int minimumLength)
    {
        if (buffer.Length < minimumLength)
        {
            if (buffer.Length > 0)
            {
                ArrayPool<char>.Shared.Return(buffer);
            }

            buffer = ArrayPool<char>.Shared.Rent(Math.Max(minimumLength, 64));
        }

        return buffer;
    }

    internal void Release()
    {
        foreach (char[] buffer in (ReadOnlySpan<char[]>)[_id, _name, _arguments])
        {
            if (buffer.Length > 0)
            {
                ArrayPool<char>.Shared.Return(buffer);
            }
        }

        _id = [];
        _name = [];
        _arguments = [];
        Clear();
    }
}
