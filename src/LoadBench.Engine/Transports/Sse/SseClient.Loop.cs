using System.Net;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Transports.Connections;
using LoadBench.Engine.Transports.Connections.EventLoop;

namespace LoadBench.Engine.Transports.Sse;

/// <summary>
/// The raw path (<c>SseClient.Raw.cs</c>) on the engine's event loop (<see cref="LoopStream"/>): the same request head,
/// the same <see cref="Take"/> of every read (so the same counts, meter calls and items), the same ending; only the
/// reads differ: made on the loop's thread when epoll says bytes came, instead of a zero-byte receive and a receive
/// awaited per delivery. Linux x86-64 with an address that needs no DNS; <c>LOADBENCH_STREAM_LOOP=0</c> keeps the
/// awaited reads.
/// </summary>
internal sealed partial class SseClient : LoopStreamReader
{
    private Step _loopStep;

    private async Task ReceiveLoopStreamAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        byte[]? head = RawRequestHead();
        using var stream = await LoopStream.ConnectAsync(endPoint, _core.Options.Connections, _core.Meter, cancellationToken);
        // The phase's end takes the socket out of the loop and closes it, which ends the read.
        using var closeOnCancel = cancellationToken.UnsafeRegister(static s => ((LoopStream)s!).Dispose(), stream);
        _scanner = new HttpMessageScanner(isResponse: true);
        _body = null;
        _status = 0;
        _draining = false;
        _events.Reset(); // whatever a cut stream left half read
        CancellationTokenSource? drainTimer = null;
        try
        {
            LoopbackConnector.SendHead(stream.Socket, head, _core.Meter);
            head = null; // not kept in the stream's state for its whole life

            while (true)
            {
                Step step;
                var end = await stream.ReadAsync(this);
                // Closed by the phase's end or the drain timer: as a disposed socket ends the awaited read.
                ObjectDisposedException.ThrowIf(end == LoopStreamEnd.Stopped, stream);
                switch (end)
                {
                    case LoopStreamEnd.EndOfStream:
                        EnsureTheConnectionMayEndHere();
                        step = Step.Ended;
                        break;
                    default:
                        step = _loopStep; // paused by Take: the stream ended, or a signal began the drain
                        break;
                }

                drainTimer ??= DrainTimerAfter(step, stream);

                if (step == Step.Ended)
                {
                    await EndRawStreamAsync(cancellationToken);
                    return;
                }
            }
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is not OperationCanceledException)
        {
            throw new OperationCanceledException("The phase ended.", e, cancellationToken);
        }
        catch (Exception e) when (_draining && e is System.Net.Sockets.SocketException or ObjectDisposedException or IOException)
        {
            // The signal was counted; the end of the stream did not come in time, or the target cut it.
        }
        finally
        {
            drainTimer?.Dispose();
            _scanner = null;
            _body = null;
            _events.Reset();
        }
    }

    /// <summary>On the loop's thread: one read through <see cref="Take"/>; pauses when the stream ended, and when a
    /// signal began the drain (its timer is started by the async method).</summary>
    public override bool TakeRead(ReadOnlySpan<byte> bytes)
    {
        var draining = _draining;
        _loopStep = Take(bytes);
        return _loopStep == Step.More && draining == _draining;
    }
}
