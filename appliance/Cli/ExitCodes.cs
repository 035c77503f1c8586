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

    /// <summary>The one exit-code table, printed by the top-level <c>--help</c> and copied in the README (a test holds them equal).</summary>
    public const string Help =
        "Exit codes (every command):\n" +
        "  0  ok (listen, demo: a turn completed with a spoken reply)\n" +
        "  1  unexpected error (the message says what)\n" +
        "  2  bad usage or input: an unknown command or flag, a missing or malformed file (WAV, configuration), a value out of range\n" +
        "  3  listen, demo: no wake word was heard\n" +
        "  4  a model is missing, corrupt or off its contract\n" +
        "  5  listen, demo: a wake word was heard but no turn completed (no speech, a server or pipeline error)\n" +
        "  6  the network could not be reached (GPU server, npm registry, fleet broker)\n" +
        "diagnose alone exits with the sum of the areas that failed (see 'diagnose --help'); 2 is bad usage there too.";
}
