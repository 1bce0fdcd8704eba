namespace LoadBench.Target.Feed;

/// <summary>
/// For a transport's send loop that writes while its next <see cref="FeedLog.FollowAsync(long, string?, SlowConsumers.FeedFollower?, CancellationToken)"/>
/// item is still pending (it flushes what is ready before it waits). A follow's enumerator cannot be disposed while a
/// <c>MoveNextAsync</c> is pending — the compiler's async iterators throw <see cref="NotSupportedException"/> — so a
/// loop that leaves then (a write failed) ends the follow and waits for it to see that first.
/// </summary>
internal static class PendingFollow
{
    public static async Task AbandonAsync(ValueTask<bool> pending, CancellationTokenSource follow)
    {
        ArgumentNullException.ThrowIfNull(follow);
        await follow.CancelAsync();
        try
        {
            await pending;
        }
        catch (OperationCanceledException)
        {
            // What the follow says when it sees the cancellation.
        }
    }
}
