using System.Reflection;
using System.Text.Json;
using StepAudio.Appliance.Output;
using StepAudio.Engine.Pipeline.Events;
using StepAudio.Engine.Tools;
using StepAudio.TestSupport;
using StepAudio.TestSupport.Events;

namespace StepAudio.Appliance.Tests.Output;

/// <summary>
/// The events.jsonl lines are what the README's events block documents: every type, its fields in
/// that order, and their value formats, written by the same writer the CLI uses.
/// </summary>
public sealed class EventsFileReadmeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("events-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void OnEvent_WhenEveryEventTypeIsWritten_ThenEachLineIsTheReadmesLine()
    {
        var documented = DocumentedLines();
        var path = Path.Combine(_dir, "events.jsonl");
        using (var writer = new JsonlEventWriter(path))
        {
            foreach (var pipelineEvent in SampleEvents.All)
            {
                writer.OnEvent(pipelineEvent);
            }
        }

        var written = File.ReadAllLines(path);

        Assert.Equal(documented, written);
    }

    [Fact]
    public void Readme_EventsBlock_DocumentsEveryEventType()
    {
        var documentedTypes = DocumentedLines().Select(line => JsonDocument.Parse(line).RootElement.GetProperty("type").GetString()).ToHashSet();
        var known = TypeNames(typeof(PipelineEventTypes)).Concat(TypeNames(typeof(ToolEventTypes))).ToList();

        Assert.All(known, type => Assert.Contains(type, documentedTypes));
        Assert.All(documentedTypes, type => Assert.Contains(type, known));
        Assert.All(known, type => Assert.Contains(SampleEvents.All, e => e.Type == type));
    }

    private static IEnumerable<string> TypeNames(Type constants) =>
        constants.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);

    private static string[] DocumentedLines()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "README.md"));
        var marker = Array.FindIndex(lines, l => l.Trim() == "<!-- readme-check: events -->");
        Assert.True(marker >= 0, "README.md has no '<!-- readme-check: events -->' block.");
        Assert.StartsWith("```", lines[marker + 1], StringComparison.Ordinal);
        return lines.Skip(marker + 2).TakeWhile(l => !l.StartsWith("```", StringComparison.Ordinal)).ToArray();
    }
}
