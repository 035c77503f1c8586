using StepAudio.Engine.Tools;

namespace StepAudio.Engine.Pipeline;

public sealed partial class TurnCoordinator
{
    private ToolConversation? _tools;

    /// <summary>
    /// The tools every chat request offers (null: none). Set before <see cref="RunAsync"/>; each
    /// finished call is reported as a <c>tool_call</c> event.
    /// </summary>
    public ToolConversation? Tools
    {
        get => _tools;
        set
        {
            if (_tools is not null)
            {
                _tools.Runner.CallCompleted -= OnToolCallCompleted;
            }

            _tools = value;
            if (value is not null)
            {
                value.Runner.CallCompleted += OnToolCallCompleted;
            }
        }
    }

    private void OnToolCallCompleted(object? sender, ToolCallCompletedEventArgs e) =>
        Emit(new ToolCallFinished(_timeline.NowMs, e.Call.Name, e.Call.Id, e.Result.Succeeded, Math.Round(e.Milliseconds, 1)));
}
