using StepAudio.Engine.Conversation;
using StepAudio.Engine.Link;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Tokenizer;

namespace StepAudio.Engine.Pipeline.Turns;

/// <summary>
/// What the parts of a turn share: the link, the clock, the event sink and the conversation's
/// history. The coordinator builds it once and hands it down, so a speculation or the reply
/// speaker reaches exactly this and not the coordinator that made them.
/// </summary>
internal sealed class TurnContext(GpuServerClient client, AudioTimeline timeline, IPipelineEventSink events, ConversationContext conversation, TurnTools tools)
{
    public GpuServerClient Client => client;

    public AudioTimeline Timeline => timeline;

    public ConversationContext Conversation => conversation;

    public void Emit(PipelineEvent pipelineEvent) => events.OnEvent(pipelineEvent);

    /// <summary>Starts a chat request for the current turn's <paramref name="tokens"/> after the history.</summary>
    /// <param name="holdTools">Tool calls wait for <see cref="ChatStream.ReleaseTools"/> (a speculative request).</param>
    public ChatStream StartChat(AudioTokens tokens, bool holdTools, CancellationToken cancellationToken) =>
        ChatStream.Start(client, conversation.BuildMessages(tokens.ToTokenString()), timeline, tools, holdTools, cancellationToken);
}
