using System.CommandLine;
using System.Text.Json;
using StepAudio.Appliance.Audio.Alsa;
using StepAudio.Appliance.Diagnostics;

namespace StepAudio.Appliance.Cli;

/// <summary><c>devices</c>: the ALSA PCMs this machine knows, to put in Audio:Capture:Device and Audio:Playback:Device.</summary>
internal static class DevicesCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array of {name, description, capture, playback} instead of a table." };
        var command = new Command(
            "devices",
            "List the ALSA PCMs (what 'arecord -L' and 'aplay -L' list), with the directions each can be used for. " +
            "Exit 0, or 1 when libasound is missing or cannot read its configuration.");
        command.Options.Add(json);
        command.SetAction(parse => Run(parse.GetValue(json), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(bool asJson, TextWriter output, TextWriter error)
    {
        IReadOnlyList<AlsaDeviceInfo> devices;
        try
        {
            devices = AlsaDevices.List();
        }
        catch (DllNotFoundException)
        {
            error.WriteLine($"error: {AlsaLibrary.MissingMessage}");
            return ExitCodes.Unexpected;
        }
        catch (AlsaException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return ExitCodes.Unexpected;
        }

        if (asJson)
        {
            WriteJson(devices, output);
        }
        else
        {
            WriteTable(devices, output);
        }

        return ExitCodes.Ok;
    }

    private static void WriteTable(IReadOnlyList<AlsaDeviceInfo> devices, TextWriter output)
    {
        var width = Math.Max("NAME".Length, devices.Count == 0 ? 0 : devices.Max(d => d.Name.Length));
        output.WriteLine($"{"NAME".PadRight(width)}  CAPTURE  PLAYBACK  DESCRIPTION");
        foreach (var device in devices)
        {
            output.WriteLine($"{device.Name.PadRight(width)}  {(device.CanCapture ? "yes" : "no"),-7}  {(device.CanPlay ? "yes" : "no"),-8}  {device.Description}");
        }
    }

    private static void WriteJson(IReadOnlyList<AlsaDeviceInfo> devices, TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var device in devices)
            {
                json.WriteStartObject();
                json.WriteString("name", device.Name);
                json.WriteString("description", device.Description);
                json.WriteBoolean("capture", device.CanCapture);
                json.WriteBoolean("playback", device.CanPlay);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }
}
