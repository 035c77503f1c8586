namespace StepAudio.FleetTool;

/// <summary>What <c>stepaudio-fleet</c> exits with; the numbers mean what they mean for <c>stepaudio-edge</c>.</summary>
internal static class FleetToolExitCodes
{
    /// <summary>Every device answered as asked.</summary>
    public const int Ok = 0;

    /// <summary>Bad usage or input: an unknown command or flag, a malformed file, a bad broker address or certificate.</summary>
    public const int BadInput = 2;

    /// <summary>The broker could not be reached or refused the console.</summary>
    public const int Unreachable = 6;

    /// <summary>A device rejected the configuration, answered a command with an error, or did not answer in time.</summary>
    public const int FleetRefused = 7;

    /// <summary>The exit-code table, printed by <c>--help</c> and copied in the README (a test holds them equal).</summary>
    public const string Help =
        "Exit codes:\n" +
        "  0  ok\n" +
        "  2  bad usage or input: an unknown command or flag, a malformed file, a bad broker address or certificate\n" +
        "  6  the broker could not be reached or refused the console\n" +
        "  7  a device refused, answered an error or did not answer in time";
}
