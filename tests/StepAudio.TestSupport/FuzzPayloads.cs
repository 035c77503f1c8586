using System.Text;

namespace StepAudio.TestSupport;

/// <summary>
/// Deterministic hostile inputs (fixed seed): random bytes, valid documents with bytes flipped or cut short, and
/// JSON that parses but is wrong in every way a fleet tool could get it wrong. <paramref name="documents"/> adds
/// well-formed documents of the caller's own (a device's real settings), mutated like the rest.
/// </summary>
public sealed class FuzzPayloads(int seed, IReadOnlyList<string>? documents = null)
{
    private static readonly string[] Shapes =
    [
        """{"version": 1, "settings": {}}""",
        """{"version": "7", "settings": {"Audio": {"Volume": 5}}}""",
        """{"version": -3, "settings": {"Audio": {"Volume": 5}}}""",
        """{"version": 1.5, "settings": {"Audio": {"Volume": 5}}}""",
        """{"version": 9223372036854775808, "settings": {}}""",
        """{"version": 1e999, "settings": {}}""",
        """{"version": 2, "settings": null}""",
        """{"version": 2, "settings": "Audio=5"}""",
        """{"version": 2}""",
        """{"settings": {"Audio": {"Volume": 5}}}""",
        """[{"version": 2, "settings": {}}]""",
        """null""",
        "\"just a string\"",
        """{"version": 3, "settings": {"a:b": 1}}""",
        """{"version": 3, "settings": {"": 1}}""",
        """{"version": 3, "settings": {"Audio": {"volume": 1, "Volume": 2}}}""",
        """{"version": 4, "settings": {"Audio": {"Volume": "loud"}}}""",
        """{"version": 4, "settings": {"Audio": {"Volume": 1000}}}""",
        """{"version": 4, "settings": {"Audio": {"Device": ""}}}""",
        """{"version": 5, "settings": {"Wake": {"Models": ["a", "b", {"x": [1, [2, [3]]]}]}}}""",
        """{"version": 6, "settings": {"Ünïcødé": {"键": "值", "emoji": "\ud83d\ude00"}}}""",
        """{"version": 6, "settings": {"Audio": {"Volume": 5}}, "extra": true}""",
        """{"version": 7, "settings": {"Audio": {"Volume": 5}}} trailing""",
        """{"version": 8, "settings": {"Audio": {"Volume": 5}""",
    ];

    private readonly Random _random = new(seed);

    /// <summary>A non-empty hostile config document.</summary>
    public byte[] NextConfig()
    {
        return _random.Next(6) switch
        {
            0 => RandomBytes(1 + _random.Next(300)),
            1 => Mutate(Encoding.UTF8.GetBytes(documents is { Count: > 0 } mine && _random.Next(2) == 0 ? Pick(mine) : Pick(Shapes))),
            2 => Encoding.UTF8.GetBytes(DeepNesting(1 + _random.Next(80))),
            3 => Encoding.UTF8.GetBytes($$$$"""{"version": {{{{_random.Next(1, 50)}}}}, "settings": {"Audio": {"Volume": {{{{_random.Next(-50, 150)}}}}}}}"""),
            4 => Encoding.UTF8.GetBytes($$$"""{"version": {{{_random.Next(1, 50)}}}, "settings": {"Big": "{{{new string('x', _random.Next(1000, 9000))}}}"}}"""),
            _ => Encoding.UTF8.GetBytes(documents is { Count: > 0 } own && _random.Next(2) == 0 ? Pick(own) : Pick(Shapes)),
        };
    }

    /// <summary>A hostile command payload (may be empty).</summary>
    public byte[] NextCommandPayload()
    {
        return _random.Next(5) switch
        {
            0 => RandomBytes(_random.Next(200)),
            1 => Mutate("""{"echo": "hi", "level": 10}"""u8.ToArray()),
            2 => Encoding.UTF8.GetBytes(DeepNesting(1 + _random.Next(80))),
            3 => Encoding.UTF8.GetBytes(Pick(["""{"level": 50}""", """{"level": -1}""", """{"level": "x"}""", """{"echo": 5}""", "[]", "42", "\"s\"", "{}", """{"unknown": 1}"""])),
            _ => [],
        };
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private byte[] Mutate(byte[] source)
    {
        var bytes = (byte[])source.Clone();
        var flips = 1 + _random.Next(4);
        for (var i = 0; i < flips && bytes.Length > 0; i++)
        {
            bytes[_random.Next(bytes.Length)] = (byte)_random.Next(256);
        }

        return _random.Next(3) == 0 ? bytes[.._random.Next(bytes.Length + 1)] : bytes;
    }

    private static string DeepNesting(int depth)
    {
        var builder = new StringBuilder("""{"version": 2, "settings": """);
        for (var i = 0; i < depth; i++)
        {
            builder.Append("""{"a": """);
        }

        builder.Append('1');
        builder.Append('}', depth);
        return builder.Append('}').ToString();
    }
}
