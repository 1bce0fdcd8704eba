using System.Text;
using LoadBench.Engine.Distributed.Liveness;
using LoadBench.Tests.Support;

namespace LoadBench.Engine.Tests.Distributed.Liveness;

/// <summary>
/// The liveness line against a real nats-server: beats from one line arrive at another, and a probe tells a
/// subject whose subscriber's connection is gone (the server's own "no responders") from one still subscribed.
/// Waits are on conditions, bounded generously: the machine may be busy.
/// </summary>
public sealed class LivenessLineTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Beats_Arrive_AndAProbe_FindsAGoneSubscriberGone_ButNotALiveOne()
    {
        await using var nats = await NatsServer.StartAsync();
        using var listener = LivenessLine.Start(nats.Url, "test-listener", TimeProvider.System);
        var beats = 0;
        var last = "";
        using var sub = listener.Subscribe("test.beats", payload =>
        {
            last = Encoding.UTF8.GetString(payload);
            Interlocked.Increment(ref beats);
        });
        var peer = LivenessLine.Start(nats.Url, "test-peer", TimeProvider.System);
        using (peer)
        {
            using var beat = peer.Beat("test.beats", () => "alive"u8.ToArray(), TimeSpan.FromMilliseconds(100));
            using var presence = peer.Subscribe("test.presence.peer", _ => { });
            await WaitAsync(() => Volatile.Read(ref beats) >= 3, "three beats");
            Assert.Equal("alive", last);

            // Subscribed (the peer holds its connection): no "gone", while a subject nobody holds is gone at once.
            var nobody = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            listener.Probe("test.presence.nobody", () => nobody.TrySetResult());
            await nobody.Task.WaitAsync(Patience);
            var wronglyGone = false;
            listener.Probe("test.presence.peer", () => wronglyGone = true);
            var control = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            listener.Probe("test.presence.nobody-either", () => control.TrySetResult());
            // The server answers in order: once the later probe's answer is in, the earlier one's would have been.
            await control.Task.WaitAsync(Patience);
            Assert.False(wronglyGone);
        }

        // The peer's connection closed: its presence is gone.
        var gone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var deadline = DateTime.UtcNow + Patience;
        while (!gone.Task.IsCompleted && DateTime.UtcNow < deadline)
        {
            listener.Probe("test.presence.peer", () => gone.TrySetResult());
            await Task.WhenAny(gone.Task, Task.Delay(200));
        }

        Assert.True(gone.Task.IsCompleted, "the closed peer's presence was never reported gone");
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited {Patience} for {what}");
            await Task.Delay(50);
        }
    }
}
