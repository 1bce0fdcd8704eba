namespace LoadBench.Engine.Transports.Connections.EventLoop;

/// <summary>Something registered with an <see cref="EpollLoop"/>: told of its descriptor's events, on the loop's thread.</summary>
/// <remarks>An abstract class, not an interface: the loop calls it once per event, and an interface call goes through a
/// stub (a resolve stub where the call site sees two types), which engine-profile.sh showed at 2–3 % of the engine's
/// samples; a virtual call on a sealed derived class is one indirect call.</remarks>
internal abstract class EpollHandler
{
    /// <summary>Runs on the loop's thread; must not throw and must not block.</summary>
    public abstract void OnEvents(uint events);

    /// <summary>What <see cref="OnEvents"/> threw all the same (a bug): the handler ends what it was doing with
    /// <paramref name="exception"/>, so that one connection fails rather than the process.</summary>
    public abstract void OnFault(Exception exception);
}

/// <summary>
/// One thread waiting in <c>epoll_wait</c> for the descriptors registered with it and calling their handlers
/// — the event loop wrk runs per thread, for the engine's raw keep-alive polling connections
/// (<see cref="LoopKeepAliveConnection"/>) and the raw SSE and WebSocket streams (<see cref="LoopStream"/>).
/// <see cref="Next"/> hands out the loops round robin: one per core, or fewer when the runtime's socket engine is told
/// to run fewer threads (<see cref="Count"/>).
/// </summary>
/// <remarks>
/// Why not the runtime's socket engine: with inline completions it also runs continuations on its epoll threads,
/// but per request it adds its operation queues, a speculative receive right after each send (one more system call,
/// nearly always EAGAIN), an async state machine per await and the execution context around them — about 2 µs per
/// request on this machine beside wrk's C loop (scenarios/bench/poll-profile.sh). Here a descriptor is registered once,
/// edge-triggered, and a receive is made only when epoll says data came. Registrations carry a slot and its
/// generation, so an event still in a batch for a descriptor closed meanwhile reaches nobody.
/// </remarks>
internal sealed unsafe class EpollLoop
{
    private const int BatchSize = 256;
    /// <summary>The runtime's variable for its socket engine's thread count, which the loops honour too
    /// (<c>EngineProcess.SocketThreadCountVariable</c>; the engine's code does not reference the CLI's).</summary>
    internal const string ThreadCountVariable = "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT";

    private static readonly Lazy<EpollLoop[]> Loops = new(() =>
        Enumerable.Range(0, Count(Environment.ProcessorCount, Environment.GetEnvironmentVariable(ThreadCountVariable)))
            .Select(i => new EpollLoop(i)).ToArray());

    private static int _next;

    private readonly int _epfd;
    private readonly Lock _gate = new();
    private readonly Stack<int> _free = new();
    private EpollHandler?[] _handlers = new EpollHandler?[16];
    private uint[] _generations = new uint[16];
    private int _used;

    private EpollLoop(int index)
    {
        _epfd = Epoll.Create();
        new Thread(Run) { IsBackground = true, Name = $"LoadBench epoll loop {index}" }.Start();
    }

    /// <summary>
    /// How many loops run: one per core, or <paramref name="threadCountVariable"/> (a positive whole number) when it is
    /// fewer. Why: for sparse streaming plans the CLI asks the runtime for one epoll thread
    /// (<c>EngineProcess.PreferOneSocketThreadForSparseStreaming</c>), because at one event a second one waking thread
    /// that takes every socket's events costs less than one per core; the streams on these loops are the same sockets.
    /// </summary>
    internal static int Count(int processorCount, string? threadCountVariable)
    {
        var cores = Math.Max(1, processorCount);
        return int.TryParse(threadCountVariable, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var threads) && threads > 0
            ? Math.Min(cores, threads)
            : cores;
    }

    /// <summary>The next loop, round robin over <see cref="Count"/> of them (created at the first call).</summary>
    public static EpollLoop Next()
    {
        var loops = Loops.Value;
        return loops[(int)((uint)Interlocked.Increment(ref _next) % (uint)loops.Length)];
    }

    /// <summary>A registration for <paramref name="handler"/>, to <see cref="Arm"/> with its descriptor.</summary>
    public long Reserve(EpollHandler handler)
    {
        int slot;
        uint generation;
        lock (_gate)
        {
            if (!_free.TryPop(out slot))
            {
                if (_used == _handlers.Length)
                {
                    Array.Resize(ref _handlers, _used * 2);
                    Array.Resize(ref _generations, _used * 2);
                }

                slot = _used++;
            }

            _handlers[slot] = handler;
            generation = _generations[slot];
        }

        return (long)(((ulong)generation << 32) | (uint)slot);
    }

    /// <summary>Registers <paramref name="fd"/>, edge-triggered for input, output and the peer's close. From the moment
    /// this is called, the handler runs on the loop's thread: the caller must not touch what the handler touches any more.
    /// Epoll reports a descriptor that is ready already at once.</summary>
    /// <exception cref="System.Net.Sockets.SocketException">epoll_ctl refused (out of memory or of watches):
    /// a failure of this descriptor, as a socket error would be.</exception>
    public void Arm(int fd, long registration) =>
        Epoll.Add(_epfd, fd, Epoll.In | Epoll.Out | Epoll.RdHup | Epoll.EdgeTriggered, (ulong)registration);

    /// <summary>Takes <paramref name="fd"/> out (before it is closed); events of it still in a batch are dropped.</summary>
    public void Remove(long registration, int fd)
    {
        Epoll.Remove(_epfd, fd);
        var slot = (int)(uint)registration;
        lock (_gate)
        {
            _handlers[slot] = null;
            _generations[slot]++;
            _free.Push(slot);
        }
    }

    private EpollHandler? Find(ulong data)
    {
        var slot = (int)(uint)data;
        var generation = (uint)(data >> 32);
        lock (_gate)
        {
            return slot < _used && _generations[slot] == generation ? _handlers[slot] : null;
        }
    }

    private void Run()
    {
        var events = stackalloc Epoll.Event[BatchSize];
        while (true)
        {
            int n;
            try
            {
                n = Epoll.Wait(_epfd, events, BatchSize, -1);
            }
            catch (InvalidOperationException)
            {
                // Only a bug makes epoll_wait fail (EBADF, EFAULT, EINVAL): an exception here would end the process,
                // so wait a little (no spinning) and try again; the deadlines' watchdogs still end the requests.
                Thread.Sleep(10);
                continue;
            }

            for (var i = 0; i < n; i++)
            {
                Dispatch(Find(events[i].Data), events[i].Events);
            }
        }
    }

    // An exception escaping onto this thread would end the process: the last resort fails that one connection.
    private static void Dispatch(EpollHandler? handler, uint events)
    {
        if (handler is null)
        {
            return;
        }

        try
        {
            handler.OnEvents(events);
        }
        catch (Exception e)
        {
            try
            {
                handler.OnFault(e);
            }
            catch (Exception)
            {
                // The handler could not even fail: nothing more this thread can do for it.
            }
        }
    }
}
