using System.Net;
using LoadBench.Engine.Transports.Connections;
using LoadBench.Engine.Transports.Connections.EventLoop;

namespace LoadBench.Engine.Transports;

/// <summary>
/// The closed loop of back-to-back polls (<see cref="PollExchange.PollUntilCancelledAsync"/> without a pause) on an
/// <see cref="EpollLoop"/>: each answer is taken and the next poll sent from the loop's callback, with no await, task
/// or state machine per poll. The same polls, counts, latency and byte accounting as the awaited loop (the two share
/// <see cref="PollExchange.Answered"/> and <see cref="PollExchange.Failed"/>); a failed poll ends a session, which is
/// backed off as there and started again.
/// </summary>
/// <remarks>
/// Only for plain HTTP/1.1 to an IP address (no DNS on the loop's thread) on Linux x86-64 (<see cref="Epoll.IsSupported"/>);
/// <c>LOADBENCH_POLL_LOOP=0</c> keeps the awaited loop (to compare the two: scenarios/bench/poll-vs-wrk.sh).
/// </remarks>
internal sealed partial class PollExchange : IKeepAliveLoopOwner
{
    /// <summary>The environment variable that turns the loop off (<c>0</c>).</summary>
    public const string LoopVariable = "LOADBENCH_POLL_LOOP";

    private readonly IPEndPoint? _loopEndPoint;
    private readonly TimeSpan _timeout;
    private LoopKeepAliveConnection? _loopConnection;
    private TaskCompletionSource<bool>? _session;
    private CancellationToken _sessionToken;
    private long _loopStartedAt;

    /// <summary>Whether <see cref="PollOnLoopAsync"/> may run for this client.</summary>
    public bool CanPollOnLoop => _loopEndPoint is not null;

    private static IPEndPoint? LoopEndPoint(Uri uri, ConnectionPolicy? policy)
    {
        if (!Epoll.IsSupported || Environment.GetEnvironmentVariable(LoopVariable) == "0")
        {
            return null;
        }

        // A name (DNS) or a refused host keeps the awaited path, which resolves or refuses it as every client does.
        return LoopbackConnector.EndPointWithoutDns(uri, policy ?? ConnectionPolicy.LoopbackOnly);
    }

    /// <summary>Polls back to back on the event loop until <paramref name="cancellationToken"/> fires; a failed poll is
    /// counted and backed off, as in <see cref="PollUntilCancelledAsync"/>. Returns normally on cancellation.</summary>
    public async Task PollOnLoopAsync(CancellationToken cancellationToken)
    {
        if (!CanPollOnLoop)
        {
            throw new InvalidOperationException("This client's connection cannot run on the event loop.");
        }

        _loopConnection ??= new LoopKeepAliveConnection(_loopEndPoint!, _core.Meter, _timeout, _time, _core.Options.Connections, this);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                _session = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                _sessionToken = cancellationToken;
                var session = _session.Task;
                SendNext();
                if (await session)
                {
                    break;
                }

                await _core.Backoff.DelayAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The phase ended: a clean stop.
        }
        finally
        {
            _core.Meter.Settle();
        }
    }

    /// <summary>Starts the next poll of the session (from the session's start, then from each answer's callback).</summary>
    private void SendNext()
    {
        _core.BeginAttempt();
        _loopStartedAt = _time.GetTimestamp();
        _loopConnection!.Send(RequestHead(_core.After), _sessionToken);
    }

    void IKeepAliveLoopOwner.Answered(in KeepAliveResponse response)
    {
        bool answered;
        try
        {
            answered = Answered(response, _loopStartedAt, _loopStartedAt);
        }
        catch (Exception e) when (IsPollFailure(e))
        {
            answered = Failed(e);
        }
        catch (Exception e)
        {
            _core.Meter.Settle();
            _session!.TrySetException(e);
            return;
        }

        _core.Meter.Settle();
        if (!answered)
        {
            _session!.TrySetResult(false);
            return;
        }

        _core.Backoff.Reset();
        if (_sessionToken.IsCancellationRequested)
        {
            // The phase ended between polls: its token closes the connection, as the awaited path's registration does.
            _loopConnection!.Close();
            _session!.TrySetResult(true);
            return;
        }

        try
        {
            SendNext();
        }
        catch (Exception e)
        {
            // On the loop's thread nothing would catch it (the process would end): the session fails instead, as an
            // exception of the awaited loop would end PollUntilCancelledAsync.
            _session!.TrySetException(e);
        }
    }

    void IKeepAliveLoopOwner.Failed(Exception exception)
    {
        Failed(exception);
        _core.Meter.Settle();
        _session!.TrySetResult(false);
    }

    void IKeepAliveLoopOwner.Cancelled()
    {
        _core.Meter.Settle();
        _session!.TrySetResult(true);
    }
}
