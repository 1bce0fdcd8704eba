namespace LoadBench.Target.Tests.Hostile;

/// <summary>
/// Issue 12's hostile-input catalogue: every case of <see cref="HostileCases"/> against a fresh target with a
/// control token, beside an SSE stream, a WebSocket, a waiting long poll and a poll cursor subscribed first.
/// Each case asserts its own rejection; then every bystander must get exactly the events published afterwards,
/// and <c>/feed/info</c> must answer — the target stayed up and no one else was hurt.
/// </summary>
public sealed class HostileInputCatalogueTests
{
    public static TheoryData<string> Cases => [.. HostileCases.All.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task HostileInput_IsRefused_AndEveryOtherClientKeepsItsEvents(string hostileCase)
    {
        await using var target = await HostileTarget.StartAsync();
        await using var bystanders = await Bystanders.SubscribeAsync(target);

        await HostileCases.All[hostileCase](target);

        await bystanders.AssertStillServedAsync(target);
    }

    [Fact]
    public void Catalogue_HasAtLeast25Cases() => Assert.True(HostileCases.All.Count >= 25, $"{HostileCases.All.Count} cases");
}
