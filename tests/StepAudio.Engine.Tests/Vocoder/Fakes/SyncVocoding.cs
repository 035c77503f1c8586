using StepAudio.Engine.Vocoder;

namespace StepAudio.Engine.Tests.Vocoder.Fakes;

/// <summary>Drives a session through its synchronous chunk API, recording each chunk's length and how many ids it waited for.</summary>
internal static class SyncVocoding
{
    public static (float[] Pcm, List<int> ChunkLengths, List<int> IdsBeforeChunk) Run(VocoderSession session, int[] ids)
    {
        var pcm = new List<float>();
        var lengths = new List<int>();
        var idsBefore = new List<int>();
        session.Begin();
        for (var i = 0; i < ids.Length; i++)
        {
            session.Append(ids[i]);
            while (session.TryRunChunk(out var chunk))
            {
                pcm.AddRange(chunk.ToArray());
                lengths.Add(chunk.Length);
                idsBefore.Add(i + 1);
            }
        }

        var last = session.Finish();
        pcm.AddRange(last.ToArray());
        lengths.Add(last.Length);
        idsBefore.Add(ids.Length);
        return ([.. pcm], lengths, idsBefore);
    }
}
