namespace StepAudio.Ops.Ota;

/// <summary>
/// A dotted version (<c>1.4.2</c>, <c>1.4.2-rc.1</c>): numeric parts compare as numbers, a
/// pre-release sorts before its release, build metadata after <c>+</c> is ignored.
/// </summary>
public sealed class OtaVersion : IComparable<OtaVersion>
{
    private readonly long[] _numbers;
    private readonly string[] _preRelease;

    private OtaVersion(long[] numbers, string[] preRelease, string text)
    {
        _numbers = numbers;
        _preRelease = preRelease;
        Text = text;
    }

    /// <summary>The version as written.</summary>
    public string Text { get; }

    /// <summary>Parses a version; false for anything that is not digits and dots with an optional pre-release.</summary>
    public static bool TryParse(string? text, out OtaVersion version)
    {
        version = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var core = text.Trim();
        var plus = core.IndexOf('+', StringComparison.Ordinal);
        if (plus >= 0)
        {
            core = core[..plus];
        }

        var dash = core.IndexOf('-', StringComparison.Ordinal);
        var pre = dash >= 0 ? core[(dash + 1)..].Split('.') : [];
        var numbersText = (dash >= 0 ? core[..dash] : core).Split('.');
        var numbers = new long[numbersText.Length];
        for (var i = 0; i < numbersText.Length; i++)
        {
            if (numbersText[i].Length == 0 || !long.TryParse(numbersText[i], System.Globalization.NumberStyles.None, null, out numbers[i]))
            {
                return false;
            }
        }

        foreach (var part in pre)
        {
            if (part.Length == 0)
            {
                return false;
            }
        }

        version = new OtaVersion(numbers, pre, text.Trim());
        return true;
    }

    /// <inheritdoc />
    public int CompareTo(OtaVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        var length = Math.Max(_numbers.Length, other._numbers.Length);
        for (var i = 0; i < length; i++)
        {
            var a = i < _numbers.Length ? _numbers[i] : 0;
            var b = i < other._numbers.Length ? other._numbers[i] : 0;
            if (a != b)
            {
                return a.CompareTo(b);
            }
        }

        // A release outranks any of its pre-releases.
        if (_preRelease.Length == 0 || other._preRelease.Length == 0)
        {
            return other._preRelease.Length.CompareTo(_preRelease.Length);
        }

        var parts = Math.Min(_preRelease.Length, other._preRelease.Length);
        for (var i = 0; i < parts; i++)
        {
            var aNumeric = long.TryParse(_preRelease[i], out var a);
            var bNumeric = long.TryParse(other._preRelease[i], out var b);
            var order = (aNumeric, bNumeric) switch
            {
                (true, true) => a.CompareTo(b),
                (true, false) => -1,
                (false, true) => 1,
                _ => string.CompareOrdinal(_preRelease[i], other._preRelease[i]),
            };
            if (order != 0)
            {
                return order;
            }
        }

        return _preRelease.Length.CompareTo(other._preRelease.Length);
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is OtaVersion other && CompareTo(other) == 0;

    /// <inheritdoc />
    public override int GetHashCode()
    {
        // Trailing zero parts do not change the version (1.2 == 1.2.0).
        var hash = default(HashCode);
        var last = _numbers.Length - 1;
        while (last > 0 && _numbers[last] == 0)
        {
            last--;
        }

        for (var i = 0; i <= last; i++)
        {
            hash.Add(_numbers[i]);
        }

        foreach (var part in _preRelease)
        {
            hash.Add(part, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    /// <summary>Equal versions.</summary>
    public static bool operator ==(OtaVersion? left, OtaVersion? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Different versions.</summary>
    public static bool operator !=(OtaVersion? left, OtaVersion? right) => !(left == right);

    /// <summary>Older.</summary>
    public static bool operator <(OtaVersion? left, OtaVersion? right) => left is null ? right is not null : left.CompareTo(right) < 0;

    /// <summary>Older or equal.</summary>
    public static bool operator <=(OtaVersion? left, OtaVersion? right) => left is null || left.CompareTo(right) <= 0;

    /// <summary>Newer.</summary>
    public static bool operator >(OtaVersion? left, OtaVersion? right) => left is not null && left.CompareTo(right) > 0;

    /// <summary>Newer or equal.</summary>
    public static bool operator >=(OtaVersion? left, OtaVersion? right) => left is null ? right is null : left.CompareTo(right) >= 0;
}
