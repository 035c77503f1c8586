using System.CommandLine;
using System.Text;
using System.Text.RegularExpressions;
using StepAudio.Appliance.Cli;
using StepAudio.FleetTool;
using StepAudio.TestSupport;

namespace StepAudio.Appliance.Tests.Cli;

/// <summary>
/// Every command block of the README works as written. Each <c>sh</c> and <c>json</c> block carries a
/// <c>&lt;!-- readme-check: KIND --&gt;</c> line saying how it is checked: <c>run</c> blocks are run here with bash
/// (after <c>./deploy.sh demo</c>, which <c>./deploy.sh test</c> runs first); <c>box</c> blocks need a real box, so
/// they must be valid bash, every <c>stepaudio-edge</c> command line in them must parse, and every configuration
/// document they write must pass <c>config validate</c>; <c>config</c> blocks must pass <c>config validate</c>;
/// <c>ci</c> is the quick start that CI itself runs; the <c>exit-codes</c> block is the CLI's own table.
/// </summary>
[Collection(ReadmeGroup.Name)]
public sealed partial class ReadmeCommandTests : IDisposable
{
    private const string DeviceProgram = "stepaudio-edge";
    private const string FleetProgram = "stepaudio-fleet";

    private static readonly Lazy<IReadOnlyList<Block>> Blocks = new(() => Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"))));
    private readonly string _dir = Directory.CreateTempSubdirectory("readme-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<int> Runnable() => Indices("run");

    public static TheoryData<int> OnTheBox() => Indices("box");

    public static TheoryData<int> Configs() => Indices("config");

    [Fact]
    public void Readme_EveryCommandBlock_SaysHowItIsChecked()
    {
        Assert.All(Blocks.Value.Where(b => b.Language is "sh" or "json"), b => Assert.True(
            b.Kind is "run" or "box" or "config" or "ci",
            $"README line {b.Line}: a {b.Language} block without a known '<!-- readme-check: run|box|config|ci -->' line before it ({b.Kind ?? "none"})."));
        Assert.NotEmpty(Runnable());
    }

    [Fact]
    public void Readme_ExitCodeTable_IsTheCommandLinesOwn()
    {
        var table = Assert.Single(Blocks.Value, b => b.Kind == "exit-codes");

        Assert.Equal(ExitCodes.Help.TrimEnd(), table.Text.TrimEnd());
    }

    [Fact]
    public void Readme_FleetToolExitCodeTable_IsTheToolsOwn()
    {
        var table = Assert.Single(Blocks.Value, b => b.Kind == "fleet-exit-codes");

        Assert.Equal(FleetToolExitCodes.Help.TrimEnd(), table.Text.TrimEnd());
    }

    [Fact]
    public void Readme_QuickStart_IsWhatCiRuns()
    {
        var quickStart = Assert.Single(Blocks.Value, b => b.Kind == "ci");
        var ci = File.ReadAllText(Path.Combine(RepositoryRoot.Path, ".ci", "run"));

        Assert.Equal(["./deploy.sh demo", "./deploy.sh test"], Commands(quickStart.Text).Select(c => string.Join(' ', c)));
        Assert.Contains("./deploy.sh test", ci, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Runnable))]
    public async Task Readme_RunBlock_RunsAsWritten(int index)
    {
        var block = Blocks.Value[index];
        var cache = Path.Combine(RepositoryRoot.Path, ".cache");
        Assert.True(File.Exists(Path.Combine(cache, "bin", "stepaudio-edge")) && File.Exists(Path.Combine(cache, "demo", "request.wav")),
            $"{cache} lacks the launchers or the demo request: run './deploy.sh demo' (./deploy.sh test does) before this test.");

        // As a user in the checkout would, but in a scratch folder that sees the checkout's .cache.
        Directory.CreateSymbolicLink(Path.Combine(_dir, ".cache"), cache);
        var (code, output) = await BashAsync(_dir, "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + block.Text, TimeSpan.FromMinutes(4));

        Assert.True(code == 0, $"README line {block.Line} failed with exit code {code}:\n{output}");
    }

    [Theory]
    [MemberData(nameof(OnTheBox))]
    public async Task Readme_BoxBlock_IsValidBashAndEveryCommandLineParses(int index)
    {
        var block = Blocks.Value[index];
        var (code, output) = await BashAsync(_dir, block.Text, TimeSpan.FromSeconds(30), syntaxOnly: true);
        Assert.True(code == 0, $"README line {block.Line} is not valid bash: {output}");

        foreach (var (program, args) in Invocations(Commands(block.Text)))
        {
            var parse = program == FleetProgram ? FleetCommandLine.Create().Parse(args) : ApplianceCommandLine.Create().Parse(args);
            Assert.True(parse.Errors.Count == 0, $"README line {block.Line}: '{program} {string.Join(' ', args)}': {string.Join("; ", parse.Errors.Select(e => e.Message))}");
        }

        foreach (var document in HereDocuments(block.Text))
        {
            await AssertValidConfigAsync(document, block.Line);
        }
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public async Task Readme_ConfigBlock_PassesConfigValidate(int index)
    {
        var block = Blocks.Value[index];

        await AssertValidConfigAsync(block.Text, block.Line);
    }

    private async Task AssertValidConfigAsync(string json, int line)
    {
        var path = Path.Combine(_dir, $"readme-{line}-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, json);

        var (code, _, error) = await CliRunner.RunAsync("config", "validate", path);

        Assert.True(code == ExitCodes.Ok, $"README line {line}: config validate says:\n{error}");
    }

    private static TheoryData<int> Indices(string kind)
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Blocks.Value.Count; i++)
        {
            if (Blocks.Value[i].Kind == kind)
            {
                data.Add(i);
            }
        }

        return data;
    }

    private static List<Block> Parse(string readme)
    {
        var blocks = new List<Block>();
        var lines = readme.Split('\n');
        string? kind = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (CheckMarker().Match(line) is { Success: true } marker)
            {
                kind = marker.Groups[1].Value;
                continue;
            }

            if (!line.StartsWith("```", StringComparison.Ordinal))
            {
                if (line.Length > 0)
                {
                    kind = null;
                }

                continue;
            }

            var language = line[3..].Trim();
            var start = i + 1;
            var text = new StringBuilder();
            for (i++; i < lines.Length && !lines[i].TrimEnd('\r').StartsWith("```", StringComparison.Ordinal); i++)
            {
                text.Append(lines[i].TrimEnd('\r')).Append('\n');
            }

            blocks.Add(new Block(start, language, kind, text.ToString()));
            kind = null;
        }

        return blocks;
    }

    /// <summary>The block's command lines as words: continuations joined, comments and here-document bodies left out, quotes honoured.</summary>
    private static List<List<string>> Commands(string text)
    {
        var commands = new List<List<string>>();
        var joined = text.Replace("\\\n", " ", StringComparison.Ordinal).Split('\n');
        string? hereEnd = null;
        foreach (var raw in joined)
        {
            if (hereEnd is not null)
            {
                hereEnd = raw.Trim() == hereEnd ? null : hereEnd;
                continue;
            }

            var words = Words(raw);
            if (words.Count == 0)
            {
                continue;
            }

            commands.Add(words);
            if (HereDocument().Match(raw) is { Success: true } here)
            {
                hereEnd = here.Groups[1].Value;
            }
        }

        return commands;
    }

    /// <summary>The arguments of every command whose program is <c>stepaudio-edge</c> (after <c>sudo</c>, its options and variable assignments).</summary>
    /// <summary>Each invocation of one of our programs (<c>stepaudio-edge</c>, <c>stepaudio-fleet</c>) with its arguments.</summary>
    private static IEnumerable<(string Program, string[] Args)> Invocations(List<List<string>> commands)
    {
        foreach (var command in commands)
        {
            var segment = new List<string>();
            foreach (var word in command.Append(";"))
            {
                if (word is not ("&&" or "||" or "|" or ";" or "&"))
                {
                    segment.Add(word);
                    continue;
                }

                var at = 0;
                while (at < segment.Count && (segment[at] is "sudo" or "env" || segment[at].StartsWith('-') || segment[at].Contains('=', StringComparison.Ordinal)
                    || (at > 0 && segment[at - 1] is "-u" or "-g")))
                {
                    at++;
                }

                if (at < segment.Count && Path.GetFileName(segment[at]) is DeviceProgram or FleetProgram)
                {
                    yield return (Path.GetFileName(segment[at]), segment[(at + 1)..].TakeWhile(w => !w.StartsWith('>') && !w.StartsWith('<')).ToArray());
                }

                segment.Clear();
            }
        }
    }

    private static IEnumerable<string> HereDocuments(string text)
    {
        foreach (Match match in HereDocumentBody().Matches(text))
        {
            yield return match.Groups["body"].Value;
        }
    }

    private static List<string> Words(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else
                {
                    word.Append(c);
                }

                continue;
            }

            if (c is '\'' or '"')
            {
                quote = c;
                inWord = true;
            }
            else if (c == '#' && !inWord)
            {
                break;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    private static async Task<(int Code, string Output)> BashAsync(string directory, string script, TimeSpan timeout, bool syntaxOnly = false)
    {
        var path = Path.Combine(directory, $"block-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(path, script);
        return await ExternalTool.RunToEndAsync("bash", syntaxOnly ? ["-n", path] : [path], directory, timeout);
    }

    [GeneratedRegex(@"^<!-- readme-check: ([a-z-]+) -->$")]
    private static partial Regex CheckMarker();

    [GeneratedRegex(@"<<-?\s*'?(\w+)'?")]
    private static partial Regex HereDocument();

    [GeneratedRegex(@"<<-?\s*'?(?<end>\w+)'?[^\n]*\n(?<body>.*?)\n\k<end>\n", RegexOptions.Singleline)]
    private static partial Regex HereDocumentBody();

    private sealed record Block(int Line, string Language, string? Kind, string Text);
}
