using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;
using Xunit.Abstractions;

namespace StepAudio.Engine.Tests.Parity;

/// <summary>
/// Every exported graph against the torch-eager forward pass the exporter recorded with it (reference/modules.json):
/// the same inputs by name, every output within the case's tolerance (integers exactly). This is what shows that the
/// ONNX export computes what the PyTorch module does, before the pipeline tests show that the device drives it right.
/// </summary>
[Collection(ParityGroup.Name)]
public sealed class ModuleParityTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        try
        {
            using var index = ExportedModels.Json("modules.json");
            foreach (var property in index.RootElement.EnumerateObject())
            {
                data.Add(property.Name);
            }
        }
        catch (InvalidOperationException)
        {
            data.Add("(no export)"); // the test itself then fails with the message that says how to make one
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ExportedGraph_WhenRunOnTheRecordedInputs_ThenGivesTheTorchOutputsWithinTolerance(string name)
    {
        using var index = ExportedModels.Json("modules.json");
        var entry = index.RootElement.GetProperty(name);
        var atol = entry.GetProperty("atol").GetDouble();
        var rtol = entry.TryGetProperty("rtol", out var r) ? r.GetDouble() : 0;
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(Path.Combine(ExportedModels.Directory, entry.GetProperty("onnx").GetString()!), options);

        var inputs = entry.GetProperty("inputs").EnumerateObject().Select(p => Input(session, p.Name, ExportedModels.Npy(p.Value.GetString()!))).ToList();
        var expected = entry.GetProperty("outputs").EnumerateObject().ToDictionary(p => p.Name, p => ExportedModels.Npy(p.Value.GetString()!));
        using var results = session.Run(inputs, expected.Keys.ToArray());

        foreach (var result in results)
        {
            var reference = expected[result.Name];
            var tensor = result.Value;
            switch (tensor)
            {
                case DenseTensor<float> floats:
                    Assert.Equal(reference.Shape, floats.Dimensions.ToArray());
                    var (error, at) = MaxError(floats.Buffer.Span, reference.AsFloats(), rtol);
                    output.WriteLine($"{name}.{result.Name}: shape [{string.Join(",", reference.Shape)}], max abs error {error:E2} at {at} (limit {atol:E0})");
                    Assert.True(error <= atol, $"{name}.{result.Name}: max error {error:E3} at flat index {at} exceeds {atol:E0}");
                    break;
                case DenseTensor<long> longs:
                    Assert.Equal(reference.Shape, longs.Dimensions.ToArray());
                    Assert.Equal(reference.AsLongs(), longs.Buffer.ToArray());
                    output.WriteLine($"{name}.{result.Name}: {reference.Length} integers identical");
                    break;
                case DenseTensor<int> ints:
                    Assert.Equal(reference.Shape, ints.Dimensions.ToArray());
                    Assert.Equal(reference.AsLongs(), ints.Buffer.ToArray().Select(v => (long)v));
                    output.WriteLine($"{name}.{result.Name}: {reference.Length} integers identical");
                    break;
                default:
                    Assert.Fail($"{name}.{result.Name}: unexpected output type {tensor?.GetType().Name}");
                    break;
            }
        }
    }

    private static NamedOnnxValue Input(InferenceSession session, string name, NpyArray array)
    {
        if (!session.InputMetadata.TryGetValue(name, out var metadata))
        {
            throw new InvalidDataException($"The graph has no input '{name}'; it has {string.Join(", ", session.InputMetadata.Keys)}.");
        }

        var type = metadata.ElementDataType;
        return type switch
        {
            TensorElementType.Float => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(array.AsFloats(), array.Shape)),
            TensorElementType.Int64 => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(array.AsLongs(), array.Shape)),
            TensorElementType.Int32 => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<int>(array.AsInts(), array.Shape)),
            _ => throw new InvalidDataException($"Input '{name}' has element type {type}, which the parity test does not feed."),
        };
    }

    private static (double Error, int At) MaxError(ReadOnlySpan<float> actual, float[] expected, double rtol)
    {
        if (actual.Length != expected.Length)
        {
            return (double.PositiveInfinity, -1);
        }

        var (max, at) = (0.0, -1);
        for (var i = 0; i < actual.Length; i++)
        {
            var error = Math.Abs((double)actual[i] - expected[i]) - (rtol * Math.Abs(expected[i]));
            if (double.IsNaN(error) || error > max)
            {
                (max, at) = (double.IsNaN(error) ? double.PositiveInfinity : error, i);
            }
        }

        return (max, at);
    }
}

/// <summary>The parity tests load whole model sets; they run one at a time, beside nothing else heavy.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ParityGroup
{
    public const string Name = "Parity";
}
