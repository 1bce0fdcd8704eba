namespace LoadBench.Target.Heartbeats;

/// <summary>
/// One timer per heartbeat interval in use, shared by every SSE stream that asked for that interval: when it
/// fires, every stream waiting for its next event writes one comment line. A lean server keeps no timer per
/// connection (5,000 idle subscribers would be 5,000 timers); the price is phase — a stream's first heartbeat
/// comes anywhere within its first interval, every later one an interval apart. A timer lives while some stream
/// uses it. WebSocket pings are the runtime's own keep-alive (<c>WebSocketAcceptContext.KeepAliveInterval</c>):
/// a ping cannot be sent through the public WebSocket API, so there the runtime's timer per socket is the one.
/// </summary>
public sealed class HeartbeatTickers(TimeProvider time)
{
    private readonly Dictionary<TimeSpan, Ticker> _tickers = [];
    private readonly Lock _lock = new();

    /// <summary>Timers running now (one per distinct interval in use).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _tickers.Count;
            }
        }
    }

    /// <summary>Joins the ticker of <paramref name="interval"/>, starting it if none runs; dispose to leave.</summary>
    public HeartbeatLease Join(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        lock (_lock)
        {
            if (!_tickers.TryGetValue(interval, out var ticker))
            {
                ticker = new Ticker(time, interval);
                _tickers[interval] = ticker;
            }

            ticker.Users++;
            return new HeartbeatLease(this, ticker);
        }
    }

    internal void Leave(Ticker ticker)
    {
        lock (_lock)
        {
            if (--ticker.Users == 0)
            {
                _tickers.Remove(ticker.Interval);
                ticker.Dispose();
            }
        }
    }

    /// <summary>A timer and the tick its users wait for: each tick completes the task they hold and hands out a
    /// new one, so one timer callback wakes every waiting stream.</summary>
    internal sealed class Ticker : IDisposable
    {
        private readonly ITimer _timer;
        private TaskCompletionSource _tick = NewTick();

        public Ticker(TimeProvider time, TimeSpan interval)
        {
            Interval = interval;
            _timer = time.CreateTimer(static state => ((Ticker)state!).Fire(), this, interval, interval);
        }

        public TimeSpan Interval { get; }

        /// <summary>Guarded by the owner's lock.</summary>
        public int Users { get; set; }

        /// <summary>Completes at the next tick.</summary>
        public Task NextTick => Volatile.Read(ref _tick).Task;

        private void Fire() => Interlocked.Exchange(ref _tick, NewTick()).TrySetResult();

        private static TaskCompletionSource NewTick() => new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Dispose() => _timer.Dispose();
    }
}
