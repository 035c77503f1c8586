namespace StepAudio.Appliance.Cli;

/// <summary>Process exit codes, listed in <c>--help</c>.</summary>
internal static class ExitCodes
{
    /// <summary>Done: for <c>listen</c>, at least one turn completed with a spoken reply.</summary>
    public const int Ok = 0;

    /// <summary>Something unexpected; the message says what.</summary>
    public const int Unexpected = 1;

    /// <summary>Bad input: a malformed or unreadable WAV, a bad option or config value.</summary>
    public const int BadInput = 2;

    /// <summary><c>listen</c>: no wake word was heard in the input.</summary>
    public const int NoWakeWord = 3;

    /// <summary>A model is missing, corrupt, or does not match its contract.</summary>
    public const int ModelError = 4;

    /// <summary><c>listen</c>: a wake word was heard but no turn completed (no speech, server or pipeline error).</summary>
    public const int TurnFailed = 5;

    /// <summary>The network (npm registry, GPU server) could not be reached.</summary>
    public const int Unreachable = 6;

    /// <summary><c>fleet</c>: a device rejected the configuration, answered a command with an error, or did not answer in time.</summary>
    public const int FleetRefused = 7;

    public const string Help =
        "Exit codes: 0 ok (listen: a turn completed), 1 unexpected error, 2 bad input (WAV, options), " +
        "3 no wake word heard, 4 model missing/corrupt/contract mismatch, 5 turn failed (no speech, server or pipeline error), " +
        "6 network unreachable (GPU server, registry, fleet broker), 7 fleet: a device refused or did not answer.";
}
