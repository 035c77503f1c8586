namespace StepAudio.Engine.Link;

public sealed partial class CompletionChunk
{
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
