using System.Buffers;
using StepAudio.Engine.Link.Tools;

namespace StepAudio.Engine.Link;

/// <summary>
/// What one OpenAI streaming chunk says: the generated text of choice 0 and its finish reason.
/// Owned and reused by an <see cref="SseEventReader"/>; valid until its next read.
/// </summary>
public sealed class CompletionChunk
{
    private char[] _text = ArrayPool<char>.Shared.Rent(256);
    private int _length;

    internal CompletionChunk()
    {
    }

    /// <summary>The text of <c>choices[0].delta.content</c> or <c>choices[0].text</c>; empty when absent or null.</summary>
    public ReadOnlySpan<char> Text => _text.AsSpan(0, _length);

    /// <summary>The same text as memory, for code that crosses an await.</summary>
    public ReadOnlyMemory<char> TextMemory => _text.AsMemory(0, _length);

    /// <summary><c>choices[0].finish_reason</c> ("stop", "length", ...), or null while generation goes on.</summary>
    public string? FinishReason { get; internal set; }

    /// <summary>False for chunks without choices (e.g. a trailing usage chunk).</summary>
    public bool HasChoice { get; internal set; }

    internal void Clear()
    {
        _length = 0;
        FinishReason = null;
        HasChoice = false;
        ClearToolCalls();
    }

    internal Span<char> GetTextBuffer(int minimumLength)
    {
        if (_text.Length < minimumLength)
        {
            ArrayPool<char>.Shared.Return(_text);
            _text = ArrayPool<char>.Shared.Rent(minimumLength);
        }

        return _text;
    }

    internal void SetTextLength(int length) => _length = length;

    internal void Release()
    {
        ArrayPool<char>.Shared.Return(_text);
        _text = [];
        _length = 0;
        ReleaseToolCalls();
    }

    // Slots are kept across chunks: a warm stream of tool-call fragments allocates nothing.
    private ToolCallDelta[] _toolCalls = [];
    private int _toolCallCount;

    /// <summary>How many <c>delta.tool_calls</c> entries this chunk carried.</summary>
    public int ToolCallDeltaCount => _toolCallCount;

    /// <summary>The <paramref name="position"/>-th tool-call fragment of this chunk.</summary>
    public ToolCallDelta GetToolCallDelta(int position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(position, _toolCallCount);
        return _toolCalls[position];
    }

    internal ToolCallDelta AddToolCallDelta()
    {
        if (_toolCallCount == _toolCalls.Length)
        {
            Array.Resize(ref _toolCalls, Math.Max(2, _toolCalls.Length * 2));
        }

        ToolCallDelta slot = _toolCalls[_toolCallCount] ??= new ToolCallDelta();
        slot.Clear();
        _toolCallCount++;
        return slot;
    }

    private void ClearToolCalls() => _toolCallCount = 0;

    private void ReleaseToolCalls()
    {
        foreach (ToolCallDelta? slot in _toolCalls)
        {
            slot?.Release();
        }

        _toolCallCount = 0;
    }
}
