namespace StepAudio.Ops.Ota;

/// <summary>
/// The post-update health check the appliance implements: READY reached, a known clip through wake
/// word, VAD and tokenizer gives the expected events and tokens, the broker and GPU server answer (or
/// their failure is shown not to be the update's fault).
/// </summary>
public interface IHealthProbe
{
    /// <summary>Runs every check once.</summary>
    Task<HealthReport> CheckAsync(CancellationToken cancellationToken);
}

/// <summary>How one check went.</summary>
public enum HealthVerdict
{
    /// <summary>The check passed.</summary>
    Passed,

    /// <summary>The check failed on this device: counts against the update.</summary>
    Failed,

    /// <summary>The check failed for a reason outside the device (the server is down for every device, say).</summary>
    FailedNotUpdateFault,
}

/// <summary>One check's result.</summary>
/// <param name="Name">What was checked (<c>ready</c>, <c>wake-clip</c>, <c>broker</c>, ...).</param>
/// <param name="Verdict">How it went.</param>
/// <param name="Detail">What was seen.</param>
public sealed record HealthCheckResult(string Name, HealthVerdict Verdict, string Detail);

/// <summary>All checks of one run.</summary>
/// <param name="Checks">The checks, in the order they ran.</param>
public sealed record HealthReport(IReadOnlyList<HealthCheckResult> Checks)
{
    /// <summary>True when at least one check ran and none failed on the device's account.</summary>
    public bool UpdateIsHealthy
    {
        get
        {
            if (Checks.Count == 0)
            {
                return false;
            }

            foreach (var check in Checks)
            {
                if (check.Verdict == HealthVerdict.Failed)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>The failed checks as one line, for status messages.</summary>
    public string Summary()
    {
        var parts = new List<string>();
        foreach (var check in Checks)
        {
            parts.Add($"{check.Name}: {check.Verdict} ({check.Detail})");
        }

        return parts.Count == 0 ? "no checks ran" : string.Join("; ", parts);
    }
}
