using System.Globalization;
using System.Runtime.InteropServices;
using StepAudio.StandInServer;

// Runs the stand-in GPU server on its own, e.g. for the demo or a HIL rig:
//   dotnet run --project tests/StepAudio.StandInServer -- --port 8000 --first-token-delay-ms 120 --token-interval-ms 20
var options = new StandInOptions();
for (int i = 0; i < args.Length; i++)
{
    string name = args[i];
    if (name is "-h" or "--help")
    {
        Console.WriteLine(Usage());
        return 0;
    }

    if (i + 1 >= args.Length)
    {
        return Fail($"{name} needs a value.");
    }

    string value = args[++i];
    bool isInt = int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int number);
    switch (name)
    {
        case "--port" when isInt && number is >= 0 and <= 65535: options.Port = number; break;
        case "--first-token-delay-ms" when isInt && number >= 0: options.FirstTokenDelay = TimeSpan.FromMilliseconds(number); break;
        case "--token-interval-ms" when isInt && number >= 0: options.TokenInterval = TimeSpan.FromMilliseconds(number); break;
        case "--fail-status" when isInt && number is 0 or (>= 400 and <= 599): options.FailWithStatus = number; break;
        case "--drop-after-tokens" when isInt && number >= -1: options.DropAfterTokens = number; break;
        case "--tts-tokens-per-char" when isInt && number >= 1: options.TtsTokensPerCharacter = number; break;
        case "--tts-chunk-chars" when isInt && number >= 0: options.TtsChunkCharacters = number; break;
        case "--weather-delay-ms" when isInt && number >= 0: options.WeatherDelay = TimeSpan.FromMilliseconds(number); break;
        case "--weather-fail-status" when isInt && number is 0 or (>= 400 and <= 599): options.WeatherFailWithStatus = number; break;
        case "--api-key": options.RequireApiKey = value; break;
        case "--chat-model": options.ChatModel = value; break;
        case "--tts-model": options.TtsModel = value; break;
        default: return Fail($"Unknown option or bad value: {name} {value}");
    }
}

await using StandInGpuServer server = await StandInGpuServer.StartAsync(options);
Console.WriteLine($"Stand-in GPU server listening on {server.BaseAddress} (chat model '{options.ChatModel}', TTS model '{options.TtsModel}'). Ctrl+C stops it.");

var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.TrySetResult(); });
using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.TrySetResult(); });
await stop.Task;
Console.WriteLine($"Stopping: {server.CompletedGenerations} completed, {server.CancelledGenerations} cancelled, {server.DroppedGenerations} dropped.");
return 0;

static int Fail(string message)
{
    Console.Error.WriteLine(message);
    Console.Error.WriteLine(Usage());
    return 2;
}

static string Usage() =>
    """
    Usage: StepAudio.StandInServer [options]
      --port N                  loopback port (0: a free one; default 0)
      --first-token-delay-ms N  delay before the first token
      --token-interval-ms N     delay between tokens
      --fail-status N           answer generation requests with this HTTP status (400..599)
      --drop-after-tokens N     abort the connection after N tokens (-1: never)
      --weather-delay-ms N      delay before GET /weather answers
      --weather-fail-status N   answer GET /weather with this HTTP status (400..599)
      --api-key KEY             require Authorization: Bearer KEY
      --tts-tokens-per-char N   audio tokens per character of TTS text (default 3)
      --tts-chunk-chars N       re-cut the TTS text stream into N-character events (0: one token per event)
      --chat-model NAME         served chat model name (default step-audio-chat)
      --tts-model NAME          served TTS model name (default step-audio-tts)
    """;
