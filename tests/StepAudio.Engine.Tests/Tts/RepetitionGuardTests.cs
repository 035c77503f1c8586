using StepAudio.Engine.Tts;

namespace StepAudio.Engine.Tests.Tts;

public sealed class RepetitionGuardTests
{
    [Fact]
    public void TryGetBanned_WhenTheLastIdOccursTwiceInTheLastTen_ThenItIsBanned()
    {
        int[] sequence = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 70000, 12, 13, 14, 15, 16, 17, 18, 70000];

        Assert.True(RepetitionGuard.TryGetBanned(sequence, out var banned));
        Assert.Equal(70000, banned);
    }

    [Fact]
    public void TryGetBanned_WhenTheEarlierOccurrenceIsJustOutsideTheWindow_ThenNothingIsBanned()
    {
        // 70000 at index 10 of 21 ids: eleven ids back counting itself, one past the window.
        int[] sequence = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 70000, 12, 13, 14, 15, 16, 17, 18, 19, 20, 70000];

        Assert.False(RepetitionGuard.TryGetBanned(sequence, out _));
    }

    [Fact]
    public void TryGetBanned_WhenOnlyAnOlderIdRepeats_ThenTheLastIdDecides()
    {
        int[] sequence = [5, 5, 5, 5, 5, 5, 5, 5, 5, 6];

        Assert.False(RepetitionGuard.TryGetBanned(sequence, out _));
        Assert.True(RepetitionGuard.TryGetBanned(sequence.AsSpan(0, 9), out var banned));
        Assert.Equal(5, banned);
    }

    [Fact]
    public void Accept_WhenTheFirstGeneratedIdRepeatsAPromptId_ThenTheWindowReachesIntoThePrompt()
    {
        // The prompt ends "... [4] assistant-role"; a repeat right after the prompt counts the prompt's copy.
        var monitor = new RepetitionGuardMonitor([1, 4, 900, 3, 4, 80, 66000]);

        Assert.True(monitor.Accept(66000));
        Assert.False(monitor.Accept(66000));
        Assert.Equal((1, 66000), (monitor.Violations, monitor.FirstViolatingId));
    }

    [Fact]
    public void Accept_WhenAnIdRepeatsAfterItLeftTheWindow_ThenItIsAllowed()
    {
        var monitor = new RepetitionGuardMonitor([4, 80]);
        int[] generated = [70001, 70002, 70003, 70004, 70005, 70006, 70007, 70008, 70009, 70010, 70001];

        foreach (var id in generated)
        {
            Assert.True(monitor.Accept(id));
        }

        Assert.Equal(0, monitor.Violations);
    }

    [Fact]
    public void Accept_WhenReplayingAStream_ThenItAgreesWithTheRuleAtEveryStep()
    {
        var random = new Random(3);
        var sequence = new List<int> { 1, 4, 70, 3, 4, 80 };
        var monitor = new RepetitionGuardMonitor(sequence);
        var expectedViolations = 0;
        for (var step = 0; step < 2000; step++)
        {
            var id = 65536 + random.Next(6);
            var banned = RepetitionGuard.TryGetBanned(sequence.ToArray(), out var bannedId) && bannedId == id;
            expectedViolations += banned ? 1 : 0;
            Assert.Equal(!banned, monitor.Accept(id));
            sequence.Add(id);
        }

        Assert.Equal(expectedViolations, monitor.Violations);
        Assert.True(expectedViolations > 0);
    }
}
