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
}
