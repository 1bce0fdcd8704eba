using LoadBench.Engine.Transports;

namespace LoadBench.Engine.Metrics;

/// <summary>
/// Checks the seq of every event one client receives against its cursor and counts what went wrong into the
/// client's <see cref="ClientCounters"/>: seqs skipped (lost), seqs seen again (duplicates) and seqs that came
/// after a later one (reorders). One per client, single-threaded like the client.
/// </summary>
/// <remarks>
/// A skipped seq is counted as lost at once and remembered as an open gap; if it shows up later it was only
/// late, so it leaves the lost count and becomes a reorder. Lost is therefore provisional while a gap is open.
/// At most <see cref="MaxOpenGaps"/> gaps are remembered (gaps are rare; a flood of them must not grow memory):
/// when more open, the oldest becomes final, and a seq of it arriving afterwards counts as a duplicate.
/// </remarks>
internal sealed class SequenceChecker
{
    public const int MaxOpenGaps = 64;

    private readonly ClientCounters _counters;

    // Inclusive ranges of seqs below the cursor that were skipped and never arrived, oldest first.
    private readonly List<(long From, long To)> _gaps = [];

    /// <param name="cursor">The seq the client starts after: the first expected event is <c>cursor + 1</c>.</param>
    /// <param name="counters">Where lost, duplicates and reorders are counted.</param>
    public SequenceChecker(long cursor, ClientCounters counters)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cursor);
        ArgumentNullException.ThrowIfNull(counters);
        Cursor = cursor;
        _counters = counters;
    }

    /// <summary>The highest seq received so far (the start cursor before any event).</summary>
    public long Cursor { get; private set; }

    /// <summary>Open gaps (skipped seqs that may still arrive late).</summary>
    public int OpenGaps => _gaps.Count;

    /// <summary>
    /// Takes one received seq. Returns true when the event is new (deliver it: record latency, count it),
    /// false when it is a duplicate (already delivered; count its bytes, nothing else).
    /// </summary>
    public bool Accept(long seq)
    {
        if (seq == Cursor + 1)
        {
            Cursor = seq;
            return true;
        }

        if (seq > Cursor)
        {
            var skipped = seq - Cursor - 1;
            _counters.Lost(skipped);
            AddGap(Cursor + 1, seq - 1);
            Cursor = seq;
            return true;
        }

        if (TryFillGap(seq))
        {
            // It was counted as lost when the later seq arrived; it was only late.
            _counters.Lost(-1);
            _counters.Reorder();
            return true;
        }

        _counters.Duplicate();
        return false;
    }

    /// <summary>
    /// The feed restarted (a new epoch): seqs start at 1 again, so the next expected seq is 1 and neither the jump
    /// back nor the old epoch's events never sent count as lost or duplicated (the reset is counted apart). Gaps
    /// the old epoch had already opened stay counted as lost: they can never fill now.
    /// </summary>
    public void Restart()
    {
        Cursor = 0;
        _gaps.Clear();
    }

    private void AddGap(long from, long to)
    {
        if (_gaps.Count == MaxOpenGaps)
        {
            _gaps.RemoveAt(0);
        }

        _gaps.Add((from, to));
    }

    private bool TryFillGap(long seq)
    {
        // Newest gaps are the likeliest to fill (a late event is usually only a little late): search backwards.
        for (var i = _gaps.Count - 1; i >= 0; i--)
        {
            var (from, to) = _gaps[i];
            if (seq < from || seq > to)
            {
                continue;
            }

            if (from == to)
            {
                _gaps.RemoveAt(i);
            }
            else if (seq == from)
            {
                _gaps[i] = (from + 1, to);
            }
            else if (seq == to)
            {
                _gaps[i] = (from, to - 1);
            }
            else
            {
                _gaps[i] = (from, seq - 1);
                _gaps.Insert(i + 1, (seq + 1, to));
                if (_gaps.Count > MaxOpenGaps)
                {
                    _gaps.RemoveAt(0);
                }
            }

            return true;
        }

        return false;
    }
}
