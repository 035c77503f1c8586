using System.Collections.Concurrent;
using StepAudio.Engine.Link;

namespace StepAudio.Engine.Tests.Fakes;

/// <summary>
/// A tokenizer with a known vocabulary: "\n" is two ids (90, 91) so newline stripping by count shows;
/// "human\n" and "assistant\n" have their own ids; every other character is 100 + its code point; special tokens are BOS (1) in front.
/// </summary>
internal sealed class FakeTextTokenizer : ITextTokenizer
{
    public static readonly int[] Newline = [90, 91];
    public static readonly int[] Human = [70, 71];
    public static readonly int[] Assistant = [80];

    public ConcurrentQueue<(string Text, string Model)> Calls { get; } = new();

    public Task<int[]> TokenizeAsync(string text, string model, bool addSpecialTokens, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue((text, model));
        var ids = new List<int>();
        if (addSpecialTokens)
        {
            ids.Add(TtsPromptBuilder.BosId);
        }

        int i = 0;
        while (i < text.Length)
        {
            if (text.AsSpan(i).StartsWith("human\n"))
            {
                ids.AddRange(Human);
                i += 6;
            }
            else if (text.AsSpan(i).StartsWith("assistant\n"))
            {
                ids.AddRange(Assistant);
                i += 10;
            }
            else if (text[i] == '\n')
            {
                ids.AddRange(Newline);
                i++;
            }
            else
            {
                ids.Add(Char(text[i]));
                i++;
            }
        }

        return Task.FromResult(ids.ToArray());
    }

    public static int Char(char c) => 100 + c;
}
