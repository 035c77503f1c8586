using System.Text;

namespace StepAudio.StandInServer;

/// <summary>
/// The stand-in's text tokenizer: one id per UTF-8 byte (1000 + byte), so "\n" is one id and any
/// text can be read back from its ids.
/// </summary>
public static class StandInTokenizer
{
    /// <summary>The id of byte 0.</summary>
    public const int ByteIdOffset = 1000;

    /// <summary>Ids of <paramref name="text"/>.</summary>
    public static int[] Encode(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        var ids = new int[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            ids[i] = ByteIdOffset + bytes[i];
        }

        return ids;
    }

    /// <summary>Text of <paramref name="ids"/>; false when an id is not a byte id.</summary>
    public static bool TryDecode(ReadOnlySpan<int> ids, out string text)
    {
        var bytes = new byte[ids.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            int b = ids[i] - ByteIdOffset;
            if ((uint)b > 255)
            {
                text = string.Empty;
                return false;
            }

            bytes[i] = (byte)b;
        }

        text = Encoding.UTF8.GetString(bytes);
        return true;
    }
}
