using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace StepAudio.Engine.Inference;

/// <summary>
/// The one place ONNX sessions are made: thread counts and execution provider from options, CUDA
/// with a logged fallback to the CPU, the model's inputs and outputs checked against what the
/// stage expects, and a warm-up run before the stage sees its first frame.
/// </summary>
public sealed partial class OnnxSessionFactory
{
    private readonly ILogger _logger;

    public OnnxSessionFactory(ILogger<OnnxSessionFactory>? logger = null)
    {
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Loads, checks and warms a model.</summary>
    /// <param name="path">The .onnx file.</param>
    /// <param name="signature">What the stage expects.</param>
    /// <param name="options">Threads and provider.</param>
    /// <param name="warmUp">Runs the model once with inputs of the stage's choosing; null skips warm-up.</param>
    /// <exception cref="ModelContractException">The file is missing, not a model, or does not match.</exception>
    public OnnxModel Load(string path, ModelSignature signature, InferenceOptions options, Action<OnnxModel>? warmUp = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(options);

        if (!File.Exists(path))
        {
            throw new ModelContractException($"Model '{signature.ModelName}' not found at {path}.");
        }

        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = options.InterOpThreads,
            ExecutionMode = options.InterOpThreads > 1 ? ExecutionMode.ORT_PARALLEL : ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };

        // Recurrent state and quiet-room audio decay towards denormal floats, which the CPU handles
        // tens of times slower; flushing them to zero changes nothing audible in the outputs.
        sessionOptions.AddSessionConfigEntry("session.set_denormal_as_zero", "1");

        var provider = ExecutionTarget.Cpu;
        string? fallbackReason = null;
        if (options.Provider == ExecutionTarget.Cuda)
        {
            fallbackReason = TryAppendCuda(sessionOptions, options.CudaDeviceId);
            if (fallbackReason is null)
            {
                provider = ExecutionTarget.Cuda;
            }
            else
            {
                Log.CudaFallback(_logger, signature.ModelName, fallbackReason);
            }
        }

        InferenceSession session;
        try
        {
            session = new InferenceSession(path, sessionOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelContractException(
                $"Model '{signature.ModelName}' at {path} could not be loaded by ONNX Runtime: {ex.Message.Trim()}", ex);
        }

        var model = new OnnxModel(path, signature, session, provider, fallbackReason);
        try
        {
            CheckSignature(model);
            if (options.WarmUp && warmUp is not null)
            {
                warmUp(model);
            }
        }
        catch
        {
            model.Dispose();
            throw;
        }

        Log.ModelLoaded(_logger, signature.ModelName, path, provider);
        return model;
    }

    /// <summary>Returns null when CUDA was appended, else the reason it could not be.</summary>
    private static string? TryAppendCuda(SessionOptions sessionOptions, int deviceId)
    {
        try
        {
            sessionOptions.AppendExecutionProvider_CUDA(deviceId);
            return null;
        }
        catch (OnnxRuntimeException ex)
        {
            // The GPU build is present but CUDA or cuDNN is not loadable on this box.
            return $"CUDA provider unavailable: {ex.Message.Trim()}";
        }
        catch (EntryPointNotFoundException)
        {
            // The CPU-only native library has no CUDA entry point at all.
            return "CUDA provider unavailable: the loaded ONNX Runtime is a CPU-only build";
        }
        catch (DllNotFoundException ex)
        {
            return $"CUDA provider unavailable: {ex.Message.Trim()}";
        }
    }

    private static void CheckSignature(OnnxModel model)
    {
        var problems = new StringBuilder();
        Compare("input", model.Signature.Inputs, model.Session.InputNames, model.Session.InputMetadata, problems);
        Compare("output", model.Signature.Outputs, model.Session.OutputNames, model.Session.OutputMetadata, problems);
        if (problems.Length > 0)
        {
            throw new ModelContractException(
                $"Model '{model.Signature.ModelName}' at {model.Path} does not match what its stage expects:{problems}");
        }
    }

    private static void Compare(
        string kind,
        IReadOnlyList<TensorSpec> expected,
        IReadOnlyList<string> actualNames,
        IReadOnlyDictionary<string, NodeMetadata> metadata,
        StringBuilder problems)
    {
        if (actualNames.Count != expected.Count)
        {
            problems.Append($"\n  expected {expected.Count} {kind}s, the model has {actualNames.Count} ({string.Join(", ", actualNames)})");
        }

        for (var i = 0; i < expected.Count; i++)
        {
            var spec = expected[i];
            string? actualName = spec.Name;
            if (actualName is null)
            {
                if (i >= actualNames.Count)
                {
                    continue;
                }

                actualName = actualNames[i];
            }

            if (!metadata.TryGetValue(actualName, out var node))
            {
                problems.Append($"\n  {kind} '{spec.Name}' is missing (the model has {string.Join(", ", actualNames)})");
                continue;
            }

            if (!node.IsTensor || node.ElementDataType != spec.ElementType)
            {
                problems.Append($"\n  {kind} '{actualName}' is {node.ElementDataType}, expected {spec.ElementType}");
                continue;
            }

            var dims = node.Dimensions;
            if (dims.Length != spec.Dimensions.Length)
            {
                problems.Append($"\n  {kind} '{actualName}' has rank {dims.Length} [{string.Join(',', dims)}], expected {spec}");
                continue;
            }

            for (var d = 0; d < dims.Length; d++)
            {
                // A symbolic dimension in the model (-1) or the spec accepts any size.
                if (dims[d] >= 0 && spec.Dimensions[d] >= 0 && dims[d] != spec.Dimensions[d])
                {
                    problems.Append($"\n  {kind} '{actualName}' is [{string.Join(',', dims)}], expected {spec}");
                    break;
                }
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Model {Model}: CUDA was requested but the CPU is used. {Reason}")]
        public static partial void CudaFallback(ILogger logger, string model, string reason);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Model {Model} loaded from {Path} on {Provider}")]
        public static partial void ModelLoaded(ILogger logger, string model, string path, ExecutionTarget provider);
    }
}
