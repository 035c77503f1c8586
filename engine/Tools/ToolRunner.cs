using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StepAudio.Engine.Link;
using StepAudio.Engine.Link.Tools;

namespace StepAudio.Engine.Tools;

/// <summary>
/// Runs the model's tool calls: finds the tool, checks the arguments are a JSON object, bounds the
/// call with <see cref="ToolsOptions.CallTimeout"/>, and turns every failure (unknown tool, bad
/// arguments, an exception, a timeout, an unusable result) into a <see cref="ToolResult"/> the model
/// can read and speak honestly. It never throws for a bad call and never waits past the timeout.
/// </summary>
public sealed partial class ToolRunner
{
    private readonly Dictionary<string, ITool> _tools = new(StringComparer.Ordinal);
    private readonly ToolsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <exception cref="ArgumentException">No tools, or two share a name.</exception>
    public ToolRunner(IEnumerable<ITool> tools, ToolsOptions options, ILogger<ToolRunner>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(tools);
        ArgumentNullException.ThrowIfNull(options);
        var definitions = new List<ToolDefinition>();
        foreach (ITool tool in tools)
        {
            ArgumentNullException.ThrowIfNull(tool, nameof(tools));
            if (!_tools.TryAdd(tool.Definition.Name, tool))
            {
                throw new ArgumentException($"Two tools are named '{tool.Definition.Name}'.", nameof(tools));
            }

            definitions.Add(tool.Definition);
        }

        Definitions = new ChatToolSet(definitions);
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The <c>tools</c> array every chat request offers.</summary>
    public ChatToolSet Definitions { get; }

    /// <summary>The options: timeout and rounds.</summary>
    public ToolsOptions Options => _options;

    /// <summary>Raised after every call, on the thread that finished it.</summary>
    public event EventHandler<ToolCallCompletedEventArgs>? CallCompleted;

    /// <summary>Runs one call; completes within the call timeout whatever the tool does.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the turn was abandoned).</exception>
    public async Task<ToolResult> RunAsync(ToolCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        long started = Stopwatch.GetTimestamp();
        ToolResult result = await RunCoreAsync(call, cancellationToken).ConfigureAwait(false);
        double ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (result.Succeeded)
        {
            Log.CallSucceeded(_logger, call.Name, call.Id, ms);
        }
        else
        {
            Log.CallFailed(_logger, call.Name, call.Id, ms, result.Content);
        }

        CallCompleted?.Invoke(this, new ToolCallCompletedEventArgs(call, result, ms));
        return result;
    }

    private async Task<ToolResult> RunCoreAsync(ToolCall call, CancellationToken cancellationToken)
    {
        if (!_tools.TryGetValue(call.Name, out ITool? tool))
        {
            return ToolResult.Failure(
                $"There is no tool named '{call.Name}'. Available tools: {string.Join(", ", Definitions.Names)}.",
                "I tried to use a tool I don't have.");
        }

        JsonDocument arguments;
        try
        {
            arguments = JsonDocument.Parse(string.IsNullOrWhiteSpace(call.Arguments) ? "{}" : call.Arguments);
        }
        catch (JsonException ex)
        {
            return ToolResult.Failure($"The arguments of '{call.Name}' are not valid JSON: {ex.Message}", "I couldn't understand that request.");
        }

        using (arguments)
        {
            if (arguments.RootElement.ValueKind != JsonValueKind.Object)
            {
                return ToolResult.Failure(
                    $"The arguments of '{call.Name}' must be a JSON object, got {arguments.RootElement.ValueKind}.",
                    "I couldn't understand that request.");
            }

            using var timeout = new CancellationTokenSource(_options.CallTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            Task<ToolResult> invocation;
            try
            {
                invocation = tool.InvokeAsync(arguments.RootElement, linked.Token);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return Failed(call, ex);
            }

            try
            {
                // WaitAsync: a tool that ignores its token still cannot hold the turn past the timeout.
                ToolResult result = await invocation.WaitAsync(linked.Token).ConfigureAwait(false);
                return Checked(call, result);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                ObserveLater(invocation);
                return ToolResult.Failure(
                    $"'{call.Name}' did not finish within {_options.CallTimeout.TotalSeconds:0.#} seconds.",
                    SpokenTimeout(call.Name));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return Failed(call, ex);
            }
        }
    }

    private static ToolResult Checked(ToolCall call, ToolResult? result)
    {
        if (result is null || string.IsNullOrWhiteSpace(result.Content))
        {
            return ToolResult.Failure($"'{call.Name}' returned nothing.", "Something went wrong with that request.");
        }

        try
        {
            using var document = JsonDocument.Parse(result.Content);
        }
        catch (JsonException)
        {
            return ToolResult.Failure($"'{call.Name}' returned a result that is not JSON.", "Something went wrong with that request.");
        }

        return result;
    }

    private static ToolResult Failed(ToolCall call, Exception ex) => ex switch
    {
        ToolArgumentException => ToolResult.Failure($"Invalid arguments for '{call.Name}': {ex.Message}", "I couldn't understand that request."),
        ToolUnavailableException unavailable => ToolResult.Failure($"'{call.Name}' failed: {ex.Message}", unavailable.Spoken),
        _ => ToolResult.Failure($"'{call.Name}' failed: {ex.Message}", "Something went wrong with that request."),
    };

    private static string SpokenTimeout(string name) => name switch
    {
        "get_weather" => "Sorry, the weather service did not answer in time.",
        _ => "Sorry, that took too long and I had to give up.",
    };

    private void ObserveLater(Task task) =>
        _ = task.ContinueWith(
            static (t, state) => Log.LateFailure((ILogger)state!, t.Exception!.GetBaseException().Message),
            _logger,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1701, Level = LogLevel.Information, Message = "Tool {Tool} ({CallId}) answered in {Ms:0} ms")]
        public static partial void CallSucceeded(ILogger logger, string tool, string callId, double ms);

        [LoggerMessage(EventId = 1702, Level = LogLevel.Warning, Message = "Tool {Tool} ({CallId}) failed after {Ms:0} ms: {Result}")]
        public static partial void CallFailed(ILogger logger, string tool, string callId, double ms, string result);

        [LoggerMessage(EventId = 1703, Level = LogLevel.Debug, Message = "A tool call that had already timed out failed: {Reason}")]
        public static partial void LateFailure(ILogger logger, string reason);
    }
}

/// <summary>One finished tool call.</summary>
public sealed class ToolCallCompletedEventArgs(ToolCall call, ToolResult result, double milliseconds) : EventArgs
{
    /// <summary>The call as the model made it.</summary>
    public ToolCall Call { get; } = call;

    /// <summary>What went back to the model.</summary>
    public ToolResult Result { get; } = result;

    /// <summary>How long it took.</summary>
    public double Milliseconds { get; } = milliseconds;
}
