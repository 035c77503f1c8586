using System.Text.RegularExpressions;

namespace StepAudio.Appliance.Tests.Hosting;

/// <summary>The checked-in files that make the slot image: the unit, deploy.sh's image tree and fstab, the system snippets.</summary>
internal static partial class ImageFiles
{
    public static string Root { get; } = FindRoot();

    public static string UnitPath => Path.Combine(Root, "image", "stepaudio-edge.service");

    public static string Read(params string[] relative) => File.ReadAllText(Path.Combine([Root, .. relative]));

    /// <summary>Every value of a unit setting, in order (a setting may repeat, an empty one resets).</summary>
    public static IReadOnlyList<string> UnitValues(string key)
    {
        var values = new List<string>();
        foreach (var raw in File.ReadLines(UnitPath))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';' or '[')
            {
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && line[..equals].Trim() == key)
            {
                values.Add(line[(equals + 1)..].Trim());
            }
        }

        return values;
    }

    /// <summary>The one value of a unit setting; fails when it is missing or repeated.</summary>
    public static string UnitValue(string key)
    {
        var values = UnitValues(key);
        Assert.True(values.Count == 1, $"{key}= is set {values.Count} times in image/stepaudio-edge.service, expected once.");
        return values[0];
    }

    /// <summary>The lines deploy.sh's cmd_image writes to the slot's /etc/fstab, as (source, mount point).</summary>
    public static IReadOnlyList<(string Source, string Target)> Fstab()
    {
        var deploy = Read("deploy.sh");
        var match = FstabHeredoc().Match(deploy);
        Assert.True(match.Success, "deploy.sh no longer writes $tree/etc/fstab with a FSTAB here-document.");
        return match.Groups["body"].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Select(fields => (fields[0], fields[1]))
            .ToList();
    }

    /// <summary>Where the data partition is mounted in the slot.</summary>
    public static string DataMount() =>
        Assert.Single(Fstab(), entry => entry.Source == "/dev/disk/by-partlabel/data").Target;

    /// <summary>The body of deploy.sh's cmd_image.</summary>
    public static string CmdImage()
    {
        var deploy = Read("deploy.sh");
        var start = deploy.IndexOf("cmd_image() {", StringComparison.Ordinal);
        Assert.True(start >= 0, "deploy.sh has no cmd_image.");
        var end = deploy.IndexOf("\n}\n", start, StringComparison.Ordinal);
        return deploy[start..end];
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StepAudio.Edge.sln")) && File.Exists(Path.Combine(dir.FullName, "deploy.sh")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"The repository root (StepAudio.Edge.sln beside deploy.sh) is not above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"cat >""\$tree/etc/fstab"" <<FSTAB\n(?<body>.*?)\nFSTAB", RegexOptions.Singleline)]
    private static partial Regex FstabHeredoc();
}
