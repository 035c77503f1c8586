namespace StepAudio.TestSupport;

/// <summary>The checkout the tests run from: the folder above the test binaries that holds StepAudio.Edge.sln.</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "StepAudio.Edge.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No StepAudio.Edge.sln above {AppContext.BaseDirectory}.");
    }
}
