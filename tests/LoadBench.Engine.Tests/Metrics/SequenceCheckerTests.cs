using LoadBench.Engine.Metrics;

namespace LoadBench.Engine.Tests.Metrics;

public sealed class SequenceCheckerTests
{
    [Theory]
    //             start, received seqs,        cursor, lost, dup, reorder, delivered
    [InlineData(0, new long[] { 1, 2, 3 }, 3, 0, 0, 0, 3)]
    [InlineData(0, new long[] { 1, 3 }, 3, 1, 0, 0, 2)]              // 2 skipped
    [InlineData(0, new long[] { 1, 5 }, 5, 3, 0, 0, 2)]              // 2, 3, 4 skipped
    [InlineData(0, new long[] { 1, 2, 2 }, 2, 0, 1, 0, 2)]           // 2 again
    [InlineData(0, new long[] { 1, 3, 2 }, 3, 0, 0, 1, 3)]           // 2 was late, not lost
    [InlineData(0, new long[] { 1, 5, 3 }, 5, 2, 0, 1, 3)]           // 3 late; 2 and 4 still missing
    [InlineData(0, new long[] { 1, 5, 3, 3 }, 5, 2, 1, 1, 3)]        // the second 3 is a duplicate
    [InlineData(0, new long[] { 1, 5, 2, 3, 4 }, 5, 0, 0, 3, 5)]     // the gap fills completely
    [InlineData(10, new long[] { 11, 12 }, 12, 0, 0, 0, 2)]          // starts after the given cursor
    [InlineData(10, new long[] { 10, 11 }, 11, 0, 1, 0, 1)]          // the start cursor counts as seen
    [InlineData(10, new long[] { 15 }, 15, 4, 0, 0, 1)]              // 11..14 skipped at the start
    public void Accept_KnownSequence_CountsLostDuplicatesAndReorders(
        long start, long[] seqs, long cursor, long lost, long duplicates, long reorders, int delivered)
    {
        var counters = new ClientCounters();
        var checker = new SequenceChecker(start, counters);

        var accepted = 0;
        foreach (var seq in seqs)
        {
            if (checker.Accept(seq))
            {
                accepted++;
            }
        }

        var snapshot = counters.Snapshot();
        Assert.Equal(cursor, checker.Cursor);
        Assert.Equal(lost, snapshot.Lost);
        Assert.Equal(duplicates, snapshot.Duplicates);
        Assert.Equal(reorders, snapshot.Reorders);
        Assert.Equal(delivered, accepted);
    }

    [Fact]
    public void Accept_MoreGapsThanRemembered_OldestGapBecomesFinal()
    {
        var counters = new ClientCounters();
        var checker = new SequenceChecker(0, counters);

        // Seqs 2, 4, 6, …: every odd seq is skipped, one gap each, one more gap than the checker remembers.
        for (long seq = 2; seq <= 2 * (SequenceChecker.MaxOpenGaps + 1); seq += 2)
        {
            checker.Accept(seq);
        }

        Assert.Equal(SequenceChecker.MaxOpenGaps, checker.OpenGaps);
        Assert.Equal(SequenceChecker.MaxOpenGaps + 1, counters.Snapshot().Lost);
        Assert.False(checker.Accept(1));  // its gap was forgotten: it stays lost and counts as a duplicate
        Assert.True(checker.Accept(3));   // a remembered gap still fills
        var snapshot = counters.Snapshot();
        Assert.Equal(SequenceChecker.MaxOpenGaps, snapshot.Lost);
        Assert.Equal(1, snapshot.Duplicates);
        Assert.Equal(1, snapshot.Reorders);
    }
}
