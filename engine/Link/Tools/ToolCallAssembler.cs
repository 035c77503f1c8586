using System.Text;

namespace StepAudio.Engine.Link.Tools;

/// <summary>
/// Puts streamed tool-call fragments back together, per call index: the id and name arrive once,
/// the arguments in pieces. One assembler serves one chat request; <see cref="Reset"/> reuses it.
/// </summary>
public sealed class ToolCallAssembler
{
    private readonly List<Builder> _calls = [];
    private int _count;

    /// <summary>Calls seen so far (the highest index plus one).</summary>
    public int Count => _count;

    /// <summary>Adds every tool-call fragment of <paramref name="chunk"/>.</summary>
    public void Add(CompletionChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        for (int i = 0; i < chunk.ToolCallDeltaCount; i++)
        {
            Add(chunk.GetToolCallDelta(i));
        }
    }

    /// <summary>Adds one fragment.</summary>
    public void Add(ToolCallDelta delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        while (_calls.Count <= delta.Index)
        {
            _calls.Add(new Builder());
        }

        _count = Math.Max(_count, delta.Index + 1);

        Builder call = _calls[delta.Index];
        call.Seen = true;
        if (!delta.Id.IsEmpty && call.Id.Length == 0)
        {
            call.Id.Append(delta.Id);
        }

        call.Name.Append(delta.Name);
        call.Arguments.Append(delta.Arguments);
    }

    /// <summary>
    /// The assembled calls in index order. A call without an id gets <c>call_{index}</c>; indices the
    /// stream skipped are left out.
    /// </summary>
    public IReadOnlyList<ToolCall> Build()
    {
        var calls = new List<ToolCall>(_count);
        for (int i = 0; i < _count; i++)
        {
            Builder call = _calls[i];
            if (!call.Seen)
            {
                continue;
            }

            string id = call.Id.Length > 0 ? call.Id.ToString() : $"call_{i}";
            string arguments = call.Arguments.Length > 0 ? call.Arguments.ToString() : "{}";
            calls.Add(new ToolCall(id, call.Name.ToString(), arguments));
        }

        return calls;
    }

    /// <summary>Forgets every call, keeping the buffers.</summary>
    public void Reset()
    {
        foreach (Builder call in _calls)
        {
            call.Seen = false;
            call.Id.Clear();
            call.Name.Clear();
            call.Arguments.Clear();
        }

        _count = 0;
    }

    private sealed class Builder
    {
        public StringBuilder Id { get; } = new();

        public StringBuilder Name { get; } = new();

        public StringBuilder Arguments { get; } = new(128);

        public bool Seen { get; set; }
    }
}
