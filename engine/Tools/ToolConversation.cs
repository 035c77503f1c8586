using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StepAudio.Engine.Link;
using StepAudio.Engine.Link.Tools;

namespace StepAudio.Engine.Tools;

/// <summary>
/// One turn's chat with tools: streams the model's text, and when the model asks for tools, runs
/// them (beside the audio: the caller keeps speaking the text that already arrived), sends the
/// results back as <c>tool</c> messages and streams the follow-up answer, for at most
/// <see cref="ToolsOptions.MaxRounds"/> rounds; the request after the last round forbids calls.
/// When the server fails after a tool ran, the tools' own sentences are spoken instead.
/// </summary>
public sealed partial class ToolConversation
{
    private readonly ToolRunner _runner;
    private readonly ILogger _logger;

    public ToolConversation(ToolRunner runner, ILogger<ToolConversation>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(runner);
        _runner = runner;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The runner that executes the calls.</summary>
    public ToolRunner Runner => _runner;

    /// <summary>
    /// The reply text across every round. Tool calls wait for <paramref name="toolsAllowed"/>: a
    /// speculative request streams but acts only once committed, so a discarded speculation never
    /// sets a timer.
    /// </summary>
    /// <exception cref="GpuServerException">The first request failed, or a follow-up failed after text was already spoken.</exception>
    public async IAsyncEnumerable<string> StreamAsync(
        GpuServerClient client,
        IReadOnlyList<ChatMessage> messages,
        Task toolsAllowed,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(toolsAllowed);
        var history = new List<ChatMessage>(messages);
        var assembler = new ToolCallAssembler();
        var said = new StringBuilder();
        IReadOnlyList<ToolResult>? results = null;
        for (int round = 0; ; round++)
        {
            bool lastRound = round >= _runner.Options.MaxRounds;
            assembler.Reset();
            said.Clear();
            string? fallback = null;
            var stream = client.StreamChatAsync(history, _runner.Definitions, lastRound ? ToolChoice.None : ToolChoice.Auto, assembler, cancellationToken);
            var text = stream.GetAsyncEnumerator(cancellationToken);
            await using (text.ConfigureAwait(false))
            {
                while (true)
                {
                    try
                    {
                        if (!await text.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }
                    }
                    catch (GpuServerException ex) when (results is not null && said.Length == 0)
                    {
                        // The tools did their work but the model cannot say so: the device says it.
                        Log.FollowUpFailed(_logger, round, ex.Message);
                        fallback = SpokenSummary(results);
                        break;
                    }

                    said.Append(text.Current);
                    yield return text.Current;
                }
            }

            if (fallback is not null)
            {
                yield return fallback;
                yield break;
            }

            IReadOnlyList<ToolCall> calls = assembler.Count > 0 ? assembler.Build() : [];
            if (calls.Count == 0)
            {
                yield break;
            }

            if (lastRound)
            {
                // Told not to call, it called anyway: whatever the tools found so far is all there is.
                Log.RoundsExhausted(_logger, _runner.Options.MaxRounds, calls.Count);
                if (said.Length == 0)
                {
                    yield return results is not null ? SpokenSummary(results) : "Sorry, I couldn't finish that request.";
                }

                yield break;
            }

            if (said.Length > 0 && !char.IsWhiteSpace(said[^1]))
            {
                // Ends the words said before the call as a sentence, so they are spoken while the
                // tool runs, and keeps them apart from the follow-up answer's first word.
                yield return " ";
            }

            await toolsAllowed.WaitAsync(cancellationToken).ConfigureAwait(false);
            var running = new Task<ToolResult>[calls.Count];
            for (int i = 0; i < calls.Count; i++)
            {
                running[i] = _runner.RunAsync(calls[i], cancellationToken);
            }

            ToolResult[] finished = await Task.WhenAll(running).ConfigureAwait(false);
            history.Add(ChatMessage.AssistantToolCalls(said.ToString(), calls));
            for (int i = 0; i < calls.Count; i++)
            {
                history.Add(ChatMessage.ToolResult(calls[i].Id, finished[i].Content));
            }

            results = finished;
        }
    }

    private static string SpokenSummary(IReadOnlyList<ToolResult> results)
    {
        var spoken = new StringBuilder();
        foreach (ToolResult result in results)
        {
            if (spoken.Length > 0)
            {
                spoken.Append(' ');
            }

            spoken.Append(result.Spoken);
        }

        return spoken.ToString();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1704, Level = LogLevel.Warning, Message = "The chat request after tool round {Round} failed ({Reason}); speaking the tools' results locally")]
        public static partial void FollowUpFailed(ILogger logger, int round, string reason);

        [LoggerMessage(EventId = 1705, Level = LogLevel.Warning, Message = "The model asked for {Calls} more tool calls after {Rounds} rounds; they are not run")]
        public static partial void RoundsExhausted(ILogger logger, int rounds, int calls);
    }
}
