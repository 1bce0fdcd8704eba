using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LoadBench.Engine.Distributed.Liveness;

/// <summary>
/// One NATS client connection spoken by hand, with blocking socket calls, for <see cref="LivenessLine"/>'s own
/// thread: the few commands of the NATS client protocol a heartbeat needs. The server greets with
/// <c>INFO {…}</c>; the client answers <c>CONNECT {…}</c> (verbose off: no <c>+OK</c> after each command), then
/// sends <c>SUB subject sid</c>, <c>UNSUB sid</c>, <c>PUB subject size␍␊payload</c>; the server sends
/// <c>MSG subject sid [reply-to] size␍␊payload␍␊</c>, <c>PING</c> (answered <c>PONG</c>, or it closes the
/// connection), and <c>-ERR '…'</c>. The client asks for headers and "no responders" in CONNECT for one reason:
/// a request (a PUB with a reply subject) to a subject nobody subscribes to is then answered at once by the server
/// itself, <c>HMSG reply sid hdr-size total-size␍␊NATS/1.0 503␍␊␍␊</c>: the way <see cref="LivenessLine"/> asks
/// whether a silent peer's connection still exists.
/// </summary>
internal sealed class NatsWire : IDisposable
{
    /// <summary>A control line longer than this is not NATS (INFO is well under a few kilobytes).</summary>
    private const int MaxControlLine = 64 * 1024;

    /// <summary>Heartbeats are a few hundred bytes; a larger message on a liveness subject is refused.</summary>
    private const int MaxPayload = 1024 * 1024;

    private readonly Socket _socket;
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    private NatsWire(Socket socket) => _socket = socket;

    /// <summary>A message as it arrived: <paramref name="Status"/> is the status code of a header block
    /// (<c>NATS/1.0 503</c> → 503), null for a plain MSG.</summary>
    public readonly record struct Message(int Sid, string Subject, int? Status, byte[] Payload);

    /// <summary>Where a <c>nats://host:port</c> URL points (the port defaults to 4222).</summary>
    public sealed record Endpoint(string Host, int Port)
    {
        public static Endpoint Parse(string url)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("nats" or "tcp") || uri.Host.Length == 0)
            {
                throw new DistributedRunException($"'{url}' is not a NATS address (nats://host:port).");
            }

            return new Endpoint(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 4222 : uri.Port);
        }
    }

    /// <summary>Connects within about <paramref name="timeout"/> and says CONNECT; throws on any failure.</summary>
    public static NatsWire Connect(Endpoint endpoint, string name, TimeSpan timeout)
    {
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : Dns.GetHostAddresses(endpoint.Host);
        var address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.First();
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            // A non-blocking connect, waited for with Poll: a blocking one could hang for the kernel's minutes on an
            // unreachable host, and this thread must keep judging silence meanwhile.
            socket.Blocking = false;
            try
            {
                socket.Connect(address, endpoint.Port);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
            {
                if (!socket.Poll(timeout, SelectMode.SelectWrite) || socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error) is int error && error != 0)
                {
                    throw new TimeoutException($"could not connect to {endpoint.Host}:{endpoint.Port} within {timeout.TotalSeconds:0.#} s");
                }
            }

            socket.Blocking = true;
            socket.SendTimeout = (int)timeout.TotalMilliseconds;
            var wire = new NatsWire(socket);
            var info = wire.ReadControlLine(timeout) ?? throw new TimeoutException("nats-server sent no INFO");
            if (!info.StartsWith("INFO ", StringComparison.Ordinal))
            {
                throw new FormatException($"nats-server greeted with '{Shorten(info)}', not INFO");
            }

            var connect = $$"""CONNECT {"verbose":false,"pedantic":false,"name":"{{name}}","lang":"dotnet-liveness","version":"1","protocol":1,"headers":true,"no_responders":true}""";
            wire.Send(Encoding.ASCII.GetBytes(connect + "\r\nPING\r\n"));
            // The server answers PONG only once CONNECT was accepted: a refusal (-ERR) comes first.
            var answer = wire.ReadControlLine(timeout) ?? throw new TimeoutException("nats-server did not answer CONNECT");
            if (answer != "PONG")
            {
                throw new FormatException($"nats-server answered CONNECT with '{Shorten(answer)}'");
            }

            return wire;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Send(byte[] bytes) => _socket.Send(bytes);

    public void Publish(string subject, byte[] payload, string? replyTo = null)
    {
        var reply = replyTo is null ? "" : " " + replyTo;
        var head = Encoding.ASCII.GetBytes($"PUB {subject}{reply} {payload.Length.ToString(CultureInfo.InvariantCulture)}\r\n");
        var message = new byte[head.Length + payload.Length + 2];
        head.CopyTo(message, 0);
        payload.CopyTo(message, head.Length);
        message[^2] = (byte)'\r';
        message[^1] = (byte)'\n';
        _socket.Send(message);
    }

    /// <summary>Waits at most <paramref name="wait"/> for data, then handles everything that arrived: each message
    /// goes to <paramref name="deliver"/>, PINGs are answered.</summary>
    /// <exception cref="IOException">The server closed the connection.</exception>
    /// <exception cref="FormatException">The server sent something that is not NATS, or said -ERR.</exception>
    public void ReadFor(TimeSpan wait, Action<Message> deliver)
    {
        if (!_socket.Poll(wait, SelectMode.SelectRead))
        {
            return;
        }

        // Bounded: each pass reads what the socket holds now; a heartbeat channel never has much.
        for (var pass = 0; pass < 64; pass++)
        {
            Fill();
            while (TryHandleOne(deliver))
            {
            }

            if (_socket.Available == 0)
            {
                return;
            }
        }
    }

    public void Dispose() => _socket.Dispose();

    private bool TryHandleOne(Action<Message> deliver)
    {
        var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
        if (newline < 0)
        {
            if (_end - _start > MaxControlLine)
            {
                throw new FormatException("a control line longer than 64 KiB");
            }

            return false;
        }

        var line = Encoding.ASCII.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
        var headers = line.StartsWith("HMSG ", StringComparison.Ordinal);
        if (headers || line.StartsWith("MSG ", StringComparison.Ordinal))
        {
            // MSG <subject> <sid> [reply-to] <size>; HMSG <subject> <sid> [reply-to] <header size> <total size>
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var headerSize = 0;
            if (parts.Length is not (4 or 5 or 6)
                || (headers && (parts.Length < 5 || !int.TryParse(parts[^2], NumberStyles.None, CultureInfo.InvariantCulture, out headerSize)))
                || (!headers && parts.Length == 6)
                || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var sid)
                || !int.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                || size > MaxPayload || headerSize > size)
            {
                throw new FormatException($"a malformed message line '{Shorten(line)}'");
            }

            var bodyStart = newline + 1;
            if (_end - bodyStart < size + 2)
            {
                Reserve(bodyStart - _start + size + 2);
                return false;
            }

            int? status = null;
            if (headers)
            {
                // "NATS/1.0 503\r\n..." or "NATS/1.0\r\n<header lines>": the status, when there is one.
                var block = Encoding.ASCII.GetString(_buffer, bodyStart, headerSize);
                var first = block.Split("\r\n", 2)[0].Split(' ', 3);
                status = first.Length >= 2 && int.TryParse(first[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? code : null;
            }

            deliver(new Message(sid, parts[1], status, _buffer.AsSpan(bodyStart + headerSize, size - headerSize).ToArray()));
            _start = bodyStart + size + 2;
            return true;
        }

        _start = newline + 1;
        if (line == "PING")
        {
            Send("PONG\r\n"u8.ToArray());
        }
        else if (line.StartsWith("-ERR", StringComparison.Ordinal))
        {
            throw new FormatException($"nats-server said {Shorten(line)}");
        }

        // INFO (cluster changes), +OK, PONG: nothing to do.
        return true;
    }

    private string? ReadControlLine(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var line = Encoding.ASCII.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
                _start = newline + 1;
                return line;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !_socket.Poll(left, SelectMode.SelectRead))
            {
                return null;
            }

            Fill();
        }
    }

    /// <summary>Reads what the socket holds into the buffer (compacting or growing it first).</summary>
    private void Fill()
    {
        Reserve(_end - _start + 4096);
        var read = _socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
        if (read == 0)
        {
            throw new IOException("nats-server closed the connection");
        }

        _end += read;
    }

    private void Reserve(int needed)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        }
    }

    private static string Shorten(string line) => line.Length > 200 ? line[..200] + "…" : line;
}
