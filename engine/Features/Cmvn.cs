using System.Globalization;
using System.Numerics.Tensors;

namespace StepAudio.Engine.Features;

/// <summary>An <c>am.mvn</c> file is not the Kaldi nnet text the front-end expects.</summary>
public sealed class CmvnFormatException : FormatException
{
    public CmvnFormatException()
    {
    }

    public CmvnFormatException(string message)
        : base(message)
    {
    }

    public CmvnFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Global mean and variance normalisation from a Kaldi nnet1 text file (FunASR's
/// <c>am.mvn</c>): an <c>&lt;AddShift&gt;</c> then a <c>&lt;Rescale&gt;</c> component, applied
/// as <c>x = (x + shift) * scale</c> in float32, after LFR.
/// </summary>
public sealed class Cmvn
{
    private readonly float[] _shift;
    private readonly float[] _scale;

    /// <summary>Creates the normalisation from its two vectors (same length).</summary>
    public Cmvn(ReadOnlySpan<float> shift, ReadOnlySpan<float> scale)
    {
        if (shift.Length == 0 || shift.Length != scale.Length)
        {
            throw new ArgumentException($"Shift ({shift.Length}) and scale ({scale.Length}) must be non-empty and of one length.", nameof(scale));
        }

        _shift = shift.ToArray();
        _scale = scale.ToArray();
    }

    /// <summary>Values per frame.</summary>
    public int Dimension => _shift.Length;

    /// <summary>The additive shift (the negated mean).</summary>
    public ReadOnlySpan<float> Shift => _shift;

    /// <summary>The multiplicative scale (the inverse standard deviation).</summary>
    public ReadOnlySpan<float> Scale => _scale;

    /// <summary>Normalises whole frames in place.</summary>
    public void Apply(Span<float> frames)
    {
        if (frames.Length % Dimension != 0)
        {
            throw new ArgumentException($"Frames must be whole {Dimension}-value frames, got {frames.Length} values.", nameof(frames));
        }

        for (var offset = 0; offset < frames.Length; offset += Dimension)
        {
            var frame = frames.Slice(offset, Dimension);
            TensorPrimitives.Add(frame, _shift, frame);
            TensorPrimitives.Multiply(frame, _scale, frame);
        }
    }

    /// <summary>Reads an <c>am.mvn</c> file.</summary>
    /// <exception cref="CmvnFormatException">The file is not the expected format; the message names the line.</exception>
    public static Cmvn Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(path);
        return Parse(reader, path);
    }

    /// <summary>Parses Kaldi nnet text; <paramref name="sourceName"/> names the source in errors.</summary>
    /// <exception cref="CmvnFormatException">The text is not the expected format.</exception>
    public static Cmvn Parse(TextReader reader, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var tokens = new NnetTokens(reader, sourceName);
        tokens.Expect("<Nnet>");
        float[]? shift = null;
        float[]? scale = null;
        while (true)
        {
            var (token, line) = tokens.Next("a component or </Nnet>");
            switch (token)
            {
                case "</Nnet>":
                    if (shift is null || scale is null)
                    {
                        throw tokens.Error(line, $"expected both <AddShift> and <Rescale> before </Nnet>, found {(shift is null ? "no <AddShift>" : "no <Rescale>")}");
                    }

                    if (shift.Length != scale.Length)
                    {
                        throw tokens.Error(line, $"<AddShift> has {shift.Length} values but <Rescale> has {scale.Length}");
                    }

                    return new Cmvn(shift, scale);
                case "<!EndOfComponent>":
                    break;
                case "<Splice>":
                    ReadSplice(tokens, line);
                    break;
                case "<AddShift>":
                    shift = ReadVectorComponent(tokens, token, line);
                    break;
                case "<Rescale>":
                    scale = ReadVectorComponent(tokens, token, line);
                    break;
                default:
                    throw tokens.Error(line, $"unsupported component '{token}' (expected <AddShift>, <Rescale>, <Splice> or </Nnet>)");
            }
        }
    }

    private static float[] ReadVectorComponent(NnetTokens tokens, string component, int line)
    {
        var outputDim = tokens.NextInt($"the output dimension of {component}");
        var inputDim = tokens.NextInt($"the input dimension of {component}");
        if (outputDim <= 0 || outputDim != inputDim)
        {
            throw tokens.Error(line, $"{component} must map a dimension onto itself, found {outputDim} {inputDim}");
        }

        var (next, nextLine) = tokens.Next($"<LearnRateCoef> or '[' after {component}");
        if (next == "<LearnRateCoef>")
        {
            tokens.NextFloat("the <LearnRateCoef> value");
            (next, nextLine) = tokens.Next($"'[' opening the {component} values");
        }

        if (next != "[")
        {
            throw tokens.Error(nextLine, $"expected '[' opening the {component} values, found '{next}'");
        }

        var values = new float[outputDim];
        for (var i = 0; i < outputDim; i++)
        {
            values[i] = tokens.NextFloat($"value {i + 1} of {outputDim} of {component}");
        }

        var (close, closeLine) = tokens.Next($"']' closing the {component} values");
        if (close != "]")
        {
            throw tokens.Error(closeLine, $"{component} declares {outputDim} values but has more (found '{close}' where ']' was expected)");
        }

        return values;
    }

    private static void ReadSplice(NnetTokens tokens, int line)
    {
        tokens.NextInt("the output dimension of <Splice>");
        tokens.NextInt("the input dimension of <Splice>");
        tokens.Expect("[");
        var (token, tokenLine) = tokens.Next("the <Splice> offsets");
        while (token != "]")
        {
            if (token != "0")
            {
                throw tokens.Error(tokenLine, $"only the identity <Splice> [ 0 ] is supported, found offset '{token}' (component at line {line})");
            }

            (token, tokenLine) = tokens.Next("']' closing the <Splice> offsets");
        }
    }

    // Whitespace-separated tokens with their line numbers, for errors that point at the line.
    private sealed class NnetTokens
    {
        private readonly TextReader _reader;
        private readonly string _source;
        private string[] _lineTokens = [];
        private int _index;
        private int _line;

        public NnetTokens(TextReader reader, string source)
        {
            _reader = reader;
            _source = source;
        }

        public (string Token, int Line) Next(string expected)
        {
            while (_index >= _lineTokens.Length)
            {
                var text = _reader.ReadLine() ?? throw new CmvnFormatException($"{_source}: the file ends where {expected} was expected (after line {_line}).");
                _line++;
                _lineTokens = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                _index = 0;
            }

            return (_lineTokens[_index++], _line);
        }

        public void Expect(string literal)
        {
            var (token, line) = Next($"'{literal}'");
            if (token != literal)
            {
                throw Error(line, $"expected '{literal}', found '{token}'");
            }
        }

        public int NextInt(string what)
        {
            var (token, line) = Next(what);
            return int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw Error(line, $"expected {what} (an integer), found '{token}'");
        }

        public float NextFloat(string what)
        {
            var (token, line) = Next(what);
            return float.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && float.IsFinite(value)
                ? value
                : throw Error(line, $"expected {what} (a number), found '{token}'");
        }

        public CmvnFormatException Error(int line, string message) => new($"{_source}, line {line}: {message}.");
    }
}
