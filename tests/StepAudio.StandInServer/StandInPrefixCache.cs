using System.Text.Json;

namespace StepAudio.StandInServer;

/// <summary>
/// A model of vLLM's automatic prefix caching: chat prompts are laid out as the server would
/// render them (<c>&lt;|BOT|&gt;role\ncontent&lt;|EOT|&gt;</c> per message, each
/// <c>&lt;audio_N&gt;</c> one token, other text one token per UTF-8 byte), and a prompt reuses the
/// whole blocks of its longest common prefix with any recent prompt.
/// </summary>
internal sealed class StandInPrefixCache
{
    private const int EotId = 3;
    private const int BotId = 4;
    private const int AudioIdOffset = 65536;

    private readonly Lock _gate = new();
    private readonly LinkedList<int[]> _recent = new();

    /// <summary>Remembers <paramref name="prompt"/> and returns how many of its leading tokens were cached.</summary>
    public int Admit(int[] prompt, int entries, int blockTokens)
    {
        if (entries <= 0)
        {
            return 0;
        }

        lock (_gate)
        {
            int longest = 0;
            foreach (int[] earlier in _recent)
            {
                longest = Math.Max(longest, prompt.AsSpan().CommonPrefixLength(earlier));
            }

            _recent.AddFirst(prompt);
            while (_recent.Count > entries)
            {
                _recent.RemoveLast();
            }

            // Whole blocks only, and the last token is always computed (vLLM needs its logits).
            int block = Math.Max(1, blockTokens);
            return Math.Min(longest, prompt.Length - 1) / block * block;
        }
    }

    /// <summary>The prompt tokens of a chat request body (messages as the chat template renders them).</summary>
    public static int[] ChatPromptTokens(JsonElement root)
    {
        var tokens = new List<int>();
        if (root.TryGetProperty("messages", out JsonElement messages) && messages.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement message in messages.EnumerateArray())
            {
                string role = message.TryGetProperty("role", out JsonElement r) ? r.ToString() : string.Empty;
                string content = message.TryGetProperty("content", out JsonElement c) ? c.ToString() : string.Empty;
                tokens.Add(BotId);
                tokens.AddRange(StandInTokenizer.Encode(role + "\n"));
                AddContent(tokens, content);
                tokens.Add(EotId);
            }
        }

        tokens.Add(BotId);
        tokens.AddRange(StandInTokenizer.Encode("assistant\n"));
        return tokens.ToArray();
    }

    private static void AddContent(List<int> tokens, string content)
    {
        int i = 0;
        while (i < content.Length)
        {
            if (TryReadAudioToken(content, i, out int id, out int end))
            {
                tokens.Add(AudioIdOffset + id);
                i = end;
                continue;
            }

            int next = content.IndexOf("<audio_", i + 1, StringComparison.Ordinal);
            int stop = next < 0 ? content.Length : next;
            tokens.AddRange(StandInTokenizer.Encode(content[i..stop]));
            i = stop;
        }
    }

    private static bool TryReadAudioToken(string text, int start, out int id, out int end)
    {
        id = 0;
        end = start;
        if (string.CompareOrdinal(text, start, "<audio_", 0, 7) != 0)
        {
            return false;
        }

        int i = start + 7;
        while (i < text.Length && char.IsAsciiDigit(text[i]) && i - start < 14)
        {
            id = (id * 10) + (text[i] - '0');
            i++;
        }

        if (i == start + 7 || i >= text.Length || text[i] != '>')
        {
            return false;
        }

        end = i + 1;
        return true;
    }
}
