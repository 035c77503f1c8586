namespace StepAudio.Engine.Link;

/// <summary>
/// Builds the Step-Audio-TTS-3B prompt in raw ids, as the reference implementation lays it out:
/// <code>
/// [BOS] [BOT] "system\n{system}" [EOT]
/// [BOT] "human\n" prompt_text [EOT]
/// [BOT] "assistant\n" prompt_audio [EOT]
/// [BOT] "human\n" target_text [EOT]
/// [BOT] "assistant\n"
/// </code>
/// The system turn is tokenized as one string with its role line, the role lines "human\n" and
/// "assistant\n" on their own, and the two texts with a leading "\n" whose ids (as many as "\n"
/// alone tokenizes to) are then removed, so the texts tokenize as they would at the start of a line.
/// Prompt audio ids become LLM ids (65536 + n).
/// <para>
/// Step-Audio's <c>tts.py</c> tokenizes every piece with <c>tokenizer.encode(...)</c>, whose default adds the
/// special tokens: each piece then starts with BOS, so the system turn and both role lines carry a BOS of their own
/// after <c>[BOT]</c>, while the texts lose theirs with the stripped newline (encode("\n") counts it too). The
/// builder does the same when <c>addSpecialTokens</c> is true (<see cref="GpuServerOptions.TtsAddSpecialTokens"/>,
/// the default) and tokenizes bare pieces when it is false.
/// </para>
/// </summary>
public sealed class TtsPromptBuilder
{
    /// <summary>Beginning of sequence.</summary>
    public const int BosId = 1;

    /// <summary><c>&lt;|EOT|&gt;</c>: end of a turn (also the TTS model's end of speech).</summary>
    public const int EotId = 3;

    /// <summary><c>&lt;|BOT|&gt;</c>: beginning of a turn.</summary>
    public const int BotId = 4;

    private readonly ITextTokenizer _tokenizer;
    private readonly string _ttsModel;
    private readonly bool _addSpecialTokens;
    private RoleIds? _roles;

    /// <param name="tokenizer">The TTS model's tokenizer (a <see cref="GpuServerClient"/> asks the server).</param>
    /// <param name="ttsModel">The served TTS model name whose tokenizer is used.</param>
    /// <param name="addSpecialTokens">Tokenize each piece as <c>encode</c> does by default (upstream's call), or bare.</param>
    public TtsPromptBuilder(ITextTokenizer tokenizer, string ttsModel, bool addSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentException.ThrowIfNullOrWhiteSpace(ttsModel);
        _tokenizer = tokenizer;
        _ttsModel = ttsModel;
        _addSpecialTokens = addSpecialTokens;
    }

    /// <summary>The prompt ids for one utterance.</summary>
    /// <param name="systemText">The speaker's system text (from the TTS model's assets).</param>
    /// <param name="promptText">What the speaker says in the reference recording.</param>
    /// <param name="promptAudioTokens">The reference recording's dual-codebook ids, 0..5119.</param>
    /// <param name="targetText">The text to speak, with any leading control tag.</param>
    /// <param name="cancellationToken">Cancels the tokenization requests.</param>
    /// <exception cref="ArgumentException">Empty texts or an audio id outside 0..5119.</exception>
    public async Task<int[]> BuildAsync(
        string systemText,
        string promptText,
        ReadOnlyMemory<int> promptAudioTokens,
        string targetText,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(systemText);
        ArgumentException.ThrowIfNullOrWhiteSpace(promptText);
        ArgumentException.ThrowIfNullOrWhiteSpace(targetText);
        CheckAudioIds(promptAudioTokens.Span, nameof(promptAudioTokens));

        Task<RoleIds> rolesTask = _roles is { } cached ? Task.FromResult(cached) : LoadRolesAsync(cancellationToken);
        Task<int[]> systemTask = _tokenizer.TokenizeAsync("system\n" + systemText, _ttsModel, _addSpecialTokens, cancellationToken);
        Task<int[]> promptTask = _tokenizer.TokenizeAsync("\n" + promptText, _ttsModel, _addSpecialTokens, cancellationToken);
        Task<int[]> targetTask = _tokenizer.TokenizeAsync("\n" + targetText, _ttsModel, _addSpecialTokens, cancellationToken);
        await Task.WhenAll(rolesTask, systemTask, promptTask, targetTask).ConfigureAwait(false);

        RoleIds roles = _roles = await rolesTask.ConfigureAwait(false);
        int[] system = await systemTask.ConfigureAwait(false);
        int[] prompt = await promptTask.ConfigureAwait(false);
        int[] target = await targetTask.ConfigureAwait(false);
        return Assemble(roles, system, prompt, promptAudioTokens.Span, target);
    }

    private static int[] Assemble(RoleIds roles, int[] system, int[] promptWithNewline, ReadOnlySpan<int> audio, int[] targetWithNewline)
    {
        ReadOnlySpan<int> prompt = StripLeadingNewline(promptWithNewline, roles.Newline.Length, "promptText");
        ReadOnlySpan<int> target = StripLeadingNewline(targetWithNewline, roles.Newline.Length, "targetText");
        int length = 1
            + 1 + system.Length + 1
            + 1 + roles.Human.Length + prompt.Length + 1
            + 1 + roles.Assistant.Length + audio.Length + 1
            + 1 + roles.Human.Length + target.Length + 1
            + 1 + roles.Assistant.Length;
        var ids = new int[length];
        var writer = new IdWriter(ids);
        writer.Add(BosId);
        writer.Turn(system, default, EotId);
        writer.Turn(roles.Human, prompt, EotId);
        writer.Add(BotId);
        writer.Add(roles.Assistant);
        for (int i = 0; i < audio.Length; i++)
        {
            writer.Add(AudioTokenText.LlmIdOffset + audio[i]);
        }

        writer.Add(EotId);
        writer.Turn(roles.Human, target, EotId);
        writer.Add(BotId);
        writer.Add(roles.Assistant);
        return ids;
    }

    private async Task<RoleIds> LoadRolesAsync(CancellationToken cancellationToken)
    {
        Task<int[]> newline = _tokenizer.TokenizeAsync("\n", _ttsModel, _addSpecialTokens, cancellationToken);
        Task<int[]> human = _tokenizer.TokenizeAsync("human\n", _ttsModel, _addSpecialTokens, cancellationToken);
        Task<int[]> assistant = _tokenizer.TokenizeAsync("assistant\n", _ttsModel, _addSpecialTokens, cancellationToken);
        await Task.WhenAll(newline, human, assistant).ConfigureAwait(false);
        return new RoleIds(await newline.ConfigureAwait(false), await human.ConfigureAwait(false), await assistant.ConfigureAwait(false));
    }

    private static ReadOnlySpan<int> StripLeadingNewline(int[] ids, int newlineLength, string field)
    {
        if (ids.Length <= newlineLength)
        {
            throw new InvalidOperationException(
                $"The tokenizer returned {ids.Length} ids for the {field} with its leading newline; a newline alone takes {newlineLength}, so no text is left.");
        }

        return ids.AsSpan(newlineLength);
    }

    private static void CheckAudioIds(ReadOnlySpan<int> ids, string paramName)
    {
        for (int i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] > AudioTokenText.MaxId)
            {
                throw new ArgumentException(
                    $"Prompt audio token {i} is {ids[i]}; audio ids are 0..{AudioTokenText.MaxId}.", paramName);
            }
        }
    }

    private sealed record RoleIds(int[] Newline, int[] Human, int[] Assistant);

    private ref struct IdWriter(Span<int> destination)
    {
        private readonly Span<int> _destination = destination;
        private int _count;

        public void Add(int id) => _destination[_count++] = id;

        public void Add(ReadOnlySpan<int> ids)
        {
            ids.CopyTo(_destination[_count..]);
            _count += ids.Length;
        }

        public void Turn(ReadOnlySpan<int> role, ReadOnlySpan<int> content, int end)
        {
            Add(BotId);
            Add(role);
            Add(content);
            Add(end);
        }
    }
}
