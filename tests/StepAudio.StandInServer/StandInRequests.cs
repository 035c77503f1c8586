using System.Text.Json;

namespace StepAudio.StandInServer;

/// <summary>Reads what the stand-in needs out of vLLM-shaped request bodies.</summary>
internal static class StandInRequests
{
    public static bool TryGetLastUserContent(JsonElement root, out string content)
    {
        content = string.Empty;
        if (!root.TryGetProperty("messages", out JsonElement messages) || messages.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        bool found = false;
        foreach (JsonElement message in messages.EnumerateArray())
        {
            if (message.ValueKind == JsonValueKind.Object &&
                message.TryGetProperty("role", out JsonElement role) && role.ValueKind == JsonValueKind.String && role.GetString() == "user" &&
                message.TryGetProperty("content", out JsonElement text) && text.ValueKind == JsonValueKind.String)
            {
                content = text.GetString()!;
                found = true;
            }
        }

        return found;
    }

    public static bool TryGetTargetText(JsonElement root, out string target)
    {
        target = string.Empty;
        if (!root.TryGetProperty("prompt", out JsonElement prompt))
        {
            return false;
        }

        if (prompt.ValueKind == JsonValueKind.String)
        {
            target = prompt.GetString()!;
            return target.Length > 0;
        }

        if (prompt.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        var ids = new int[prompt.GetArrayLength()];
        int i = 0;
        foreach (JsonElement id in prompt.EnumerateArray())
        {
            if (!id.TryGetInt32(out ids[i++]))
            {
                return false;
            }
        }

        return StandInModels.TryFindTargetText(ids, out target);
    }

    public static List<string> Recut(List<string> pieces, int size)
    {
        string all = string.Concat(pieces);
        var cut = new List<string>(all.Length / size + 1);
        for (int start = 0; start < all.Length; start += size)
        {
            cut.Add(all.Substring(start, Math.Min(size, all.Length - start)));
        }

        return cut;
    }
}
