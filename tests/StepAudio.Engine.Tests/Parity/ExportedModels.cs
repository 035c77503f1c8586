using System.Text.Json;

namespace StepAudio.Engine.Tests.Parity;

/// <summary>
/// The model directory engine/models/export/export.py wrote, with its reference vectors: by default the tiny random
/// set <c>./deploy.sh setup</c> exports into the embedded defaults (<c>~/.cache/stepaudio-edge/step-audio</c>), or
/// <c>STEPAUDIO_PARITY_MODELS</c> (an operator's export of the real weights, for example). The parity tests need it:
/// without it they fail, naming the command that makes it, so a CI run never passes without the Python side.
/// </summary>
internal static class ExportedModels
{
    public const string Variable = "STEPAUDIO_PARITY_MODELS";

    private static readonly Lazy<string> Root = new(Locate);

    public static string Directory => Root.Value;

    public static string Reference(string file) => System.IO.Path.Combine(Directory, "reference", file);

    public static NpyArray Npy(string file) => NpyArray.Read(Reference(file));

    public static JsonDocument Json(string file) => JsonDocument.Parse(File.ReadAllText(Reference(file)));

    private static string Locate()
    {
        var configured = Environment.GetEnvironmentVariable(Variable);
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        var directory = configured is { Length: > 0 } ? configured : System.IO.Path.Combine(cache, "stepaudio-edge", "step-audio");
        var pipeline = System.IO.Path.Combine(directory, "reference", "pipeline.json");
        if (!File.Exists(System.IO.Path.Combine(directory, "reference", "modules.json")) || !File.Exists(pipeline))
        {
            throw new InvalidOperationException(
                $"No exported models with reference vectors in {directory} (set {Variable} to another export). Make them with "
                + "'./deploy.sh setup', or '/usr/bin/python3 engine/models/export/export.py --random 1 --size tiny --out "
                + directory + "' (Debian's python3-torch, python3-torchaudio, python3-onnx, python3-scipy).");
        }

        return directory;
    }
}
