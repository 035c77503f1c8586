using System.Text.Json;
using StepAudio.Engine.Storage;
using StepAudio.Engine.Tools.State;

namespace StepAudio.Engine.Tools.Volume;

/// <summary>
/// The speaker volume in percent: applied to the <see cref="IVolumeControl"/> at once and kept in
/// <c>volume.json</c> (<c>{"percent": 60}</c>, replaced atomically) so a restart keeps it.
/// </summary>
public sealed class VolumeSetting
{
    private readonly IVolumeControl _control;
    private readonly ToolStateFile _file;
    private readonly Lock _gate = new();
    private int _percent;

    public VolumeSetting(IVolumeControl control, string stateDirectory, IAtomicFileWriter writer, VolumeOptions options)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentException.ThrowIfNullOrWhiteSpace(stateDirectory);
        ArgumentNullException.ThrowIfNull(options);
        _control = control;
        _file = new ToolStateFile(Path.Combine(stateDirectory, "volume.json"), writer);
        Options = options;
        _percent = options.Initial;
    }

    /// <summary>Step size and the initial level.</summary>
    public VolumeOptions Options { get; }

    /// <summary>The current level, 0 to 100.</summary>
    public int Percent
    {
        get
        {
            lock (_gate)
            {
                return _percent;
            }
        }
    }

    /// <summary>Applies the stored level (or the initial one) to the control.</summary>
    /// <exception cref="ToolStateException">volume.json exists but holds no percent in 0..100.</exception>
    public void Restore()
    {
        byte[]? bytes = _file.Read();
        int percent = Options.Initial;
        if (bytes is not null)
        {
            try
            {
                using var document = JsonDocument.Parse(bytes);
                if (!document.RootElement.TryGetProperty("percent", out JsonElement value) || !value.TryGetInt32(out percent) || percent is < 0 or > 100)
                {
                    throw new ToolStateException($"{_file.Path}: 'percent' must be a whole number from 0 to 100.");
                }
            }
            catch (JsonException ex)
            {
                throw new ToolStateException($"{_file.Path}: not valid JSON ({ex.Message}).", ex);
            }
        }

        lock (_gate)
        {
            _percent = percent;
            _control.Volume = percent / 100f;
        }
    }

    /// <summary>Sets the level (clamped to 0..100), applies it live and persists it; returns the level set.</summary>
    public int Set(int percent)
    {
        percent = Math.Clamp(percent, 0, 100);
        lock (_gate)
        {
            _percent = percent;
            _control.Volume = percent / 100f;
            _file.Write(json =>
            {
                json.WriteStartObject();
                json.WriteNumber("percent", percent);
                json.WriteEndObject();
            });
        }

        return percent;
    }

    /// <summary>Moves the level by <paramref name="steps"/> steps (negative: down).</summary>
    public int Change(int steps) => Set(Percent + steps * Options.Step);
}
