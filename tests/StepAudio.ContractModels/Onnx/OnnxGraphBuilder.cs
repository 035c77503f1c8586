using Google.Protobuf;
using Onnx;

namespace StepAudio.ContractModels.Onnx;

/// <summary>
/// A small fluent writer for ONNX graphs, enough to build the deterministic stand-ins for the
/// operator-supplied Step-Audio models. Opset 17, IR version 8: loadable by every ONNX Runtime
/// the appliance ships with.
/// </summary>
public sealed class OnnxGraphBuilder
{
    public const int TensorFloat = 1;
    public const int TensorInt32 = 6;
    public const int TensorInt64 = 7;

    private readonly GraphProto _graph;
    private int _nextName;

    public OnnxGraphBuilder(string graphName)
    {
        ArgumentException.ThrowIfNullOrEmpty(graphName);
        _graph = new GraphProto { Name = graphName };
    }

    /// <summary>Declares a graph input. A dimension is an int (fixed) or a string (symbolic).</summary>
    public OnnxGraphBuilder Input(string name, int elementType, params object[] dims)
    {
        _graph.Input.Add(ValueInfo(name, elementType, dims));
        return this;
    }

    /// <summary>Declares a graph output.</summary>
    public OnnxGraphBuilder Output(string name, int elementType, params object[] dims)
    {
        _graph.Output.Add(ValueInfo(name, elementType, dims));
        return this;
    }

    /// <summary>Adds a float constant (initializer) and returns its name.</summary>
    public string Constant(ReadOnlySpan<float> values, params long[] dims)
    {
        var name = $"const_{_nextName++}";
        var tensor = new TensorProto { Name = name, DataType = TensorFloat };
        tensor.Dims.AddRange(dims);
        tensor.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds an int64 constant (initializer) and returns its name.</summary>
    public string Constant(ReadOnlySpan<long> values, params long[] dims)
    {
        var name = $"const_{_nextName++}";
        var tensor = new TensorProto { Name = name, DataType = TensorInt64 };
        tensor.Dims.AddRange(dims);
        tensor.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds a scalar float constant.</summary>
    public string Scalar(float value) => Constant([value]);

    /// <summary>Adds a node with one output and returns the output name (or <paramref name="output"/>).</summary>
    public string Node(string opType, string[] inputs, string? output = null, params (string Name, object Value)[] attributes)
    {
        output ??= $"{opType.ToLowerInvariant()}_{_nextName++}";
        NodeMulti(opType, inputs, [output], attributes);
        return output;
    }

    /// <summary>Adds a node with several outputs.</summary>
    public OnnxGraphBuilder NodeMulti(string opType, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"n{_nextName++}_{opType}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        foreach (var (attrName, value) in attributes)
        {
            node.Attribute.Add(Attribute(attrName, value));
        }

        _graph.Node.Add(node);
        return this;
    }

    /// <summary>Serialises the model with producer metadata.</summary>
    public byte[] Build(IReadOnlyDictionary<string, string>? metadata = null)
    {
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "StepAudio.ContractModels",
            ProducerVersion = "1",
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 17 });
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
            {
                model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
            }
        }

        return model.ToByteArray();
    }

    private static ValueInfoProto ValueInfo(string name, int elementType, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim switch
            {
                int fixedSize => new TensorShapeProto.Types.Dimension { DimValue = fixedSize },
                long fixedSize => new TensorShapeProto.Types.Dimension { DimValue = fixedSize },
                string symbol => new TensorShapeProto.Types.Dimension { DimParam = symbol },
                _ => throw new ArgumentException($"Dimension of {name} must be int or string.", nameof(dims)),
            });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elementType, Shape = shape } },
        };
    }

    private static AttributeProto Attribute(string name, object value) => value switch
    {
        int i => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = i },
        long l => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = l },
        float f => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = f },
        string s => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(s) },
        long[] ls => IntsAttribute(name, ls),
        int[] ints => IntsAttribute(name, Array.ConvertAll(ints, x => (long)x)),
        float[] fs => FloatsAttribute(name, fs),
        _ => throw new ArgumentException($"Unsupported attribute type for {name}.", nameof(value)),
    };

    private static AttributeProto IntsAttribute(string name, long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static AttributeProto FloatsAttribute(string name, float[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        attribute.Floats.AddRange(values);
        return attribute;
    }
}
