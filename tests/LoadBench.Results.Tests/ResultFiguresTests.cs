namespace LoadBench.Results.Tests;

public sealed class ResultFiguresTests
{
    [Theory]
    [InlineData(3, 300, 0.01)]
    [InlineData(0, 300, 0.0)]
    [InlineData(0, 0, 0.0)]
    [InlineData(15, 0, 1.0)] // every arrival dropped, no request sent: everything attempted failed, not "0%"
    public void ErrorRate_IsErrorsPerRequest_AndOneWhenNothingButErrorsHappened(long errors, long requests, double expected) =>
        Assert.Equal(expected, ResultFigures.ErrorRate(errors, requests), precision: 12);

    [Fact]
    public void Bytes_PartsAddUpAndPerEventDividesByTheEventsTheyCarried()
    {
        var bytes = ResultFigures.Bytes(payload: 3000, framing: 40, headers: 960, events: 10);

        Assert.Equal(4000, bytes.Total);
        Assert.Equal(10, bytes.Events);
        Assert.Equal(300, bytes.PerEvent.Payload);
        Assert.Equal(96, bytes.PerEvent.Headers);
        Assert.Equal(400, bytes.PerEvent.Total);
    }

    [Fact]
    public void ServerCost_MemoryPerConnection_FromTheRetainedHeapWhenMeasured_ElseFromWorkingSetGrowth()
    {
        // Working set grew 40 MiB (the GC's choice); the retained heap grew 2,000 KiB for 100 clients.
        var retained = ResultFigures.ServerCost(100, 0.1, 100L << 20, 140L << 20, events: 1000, clients: 100,
            retainedBefore: 10L << 20, retainedWithClients: (10L << 20) + (2000 * 1024));
        var workingSetOnly = ResultFigures.ServerCost(100, 0.1, 100L << 20, 140L << 20, events: 1000, clients: 100);

        Assert.Equal(20, retained.KibPerConnection);
        Assert.Equal(40 * 1024 / 100.0, workingSetOnly.KibPerConnection);
        Assert.Null(ResultFigures.ServerCost(1, 1, 1, 2, 1, clients: 0).KibPerConnection);
    }
}
