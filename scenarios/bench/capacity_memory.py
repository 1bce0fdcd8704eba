"""The memory half of capacity-check.sh's verdict, apart so its rule can be checked by hand-computed cases.

Measured growth G = retained heap with the clients − before them (raw: a negative G is kept, not clamped to 0).
Resolution R = how far the retained heap moved over the small run's idle scenario, with no client at all (the plan's
`memoryResolutionBytes`, the same rule as `loadbench plan`: src/LoadBench.Reporting/Capacity/CapacityMemory.cs).

- G < −R: the heap fell by more than the resolution while the clients were connected — the baseline moved (memory
  left by an earlier scenario was released during this one). Not a measurement: FAIL, said as such.
- |G| < R: below the resolution — reported as "< R", never as a ratio against it.
- A resolved projection (the small growth ≥ 4 R: `memoryResolved` true, or the resolution unknown) must agree
  within ±25 %; a measured G below the resolution cannot.
- A projection below the resolution is the interval (g ± R) × subscribers ÷ clients; G must lie inside it.

`python3 capacity_memory.py --self-test` runs the hand-computed cases below.
"""
import sys

MIB = 1024 * 1024
TOLERANCE = 0.25


def judge(plan, measured_growth):
    """plan: one transport's plan.json entry; measured_growth: the big run's G in bytes.
    Returns (passed, projected text, measured text, ratio text, why)."""
    central = plan["retainedMemoryBytes"]
    r = plan.get("memoryResolutionBytes")
    resolved = plan.get("memoryResolved")
    lo, hi = plan.get("retainedMemoryLowerBytes"), plan.get("retainedMemoryUpperBytes")
    mib = lambda b: f"{b / MIB:.1f}"
    if resolved is False:
        central = (lo + hi) / 2  # the interval's middle: g × subscribers ÷ clients
        projected = f"{mib(lo)}–{mib(hi)} (interval)"
    else:
        projected = mib(central)
    if r is not None and measured_growth < -r:
        return (False, projected, f"fell {mib(-measured_growth)}", "—",
                f"the retained heap fell by {mib(-measured_growth)} MiB with the clients connected, more than the resolution "
                f"({r / MIB:.2f} MiB): the baseline moved (an earlier scenario's memory was released), not a measurement")
    below = r is not None and abs(measured_growth) < r
    measured = f"< {r / MIB:.2f}" if below else mib(measured_growth)
    ratio = "—" if below else f"{measured_growth / central:.2f}"
    if resolved is False:
        passed = lo <= measured_growth <= hi
        return (passed, projected, measured, ratio,
                f"projected from a growth below 4× the resolution: measured must lie in {mib(lo)}–{mib(hi)} MiB "
                + ("(it does)" if passed else "(it does not)"))
    if below:
        return (False, projected, measured, ratio,
                f"measured growth below the resolution ({r / MIB:.2f} MiB) against a resolved projection")
    passed = abs(measured_growth / central - 1) <= TOLERANCE
    return (passed, projected, measured, ratio, "resolved: within ±25 %" if passed else "resolved: outside ±25 %")


def self_test():
    """Hand-computed cases (MiB = 1,048,576 B)."""
    # Resolved SSE: projected 146.5 MiB = 153,616,384 B; measured 159,490,048 B → ratio 1.0382… → 1.04, PASS.
    sse = {"retainedMemoryBytes": 153_616_384, "memoryResolutionBytes": 356_424, "memoryResolved": True,
           "retainedMemoryLowerBytes": 150_765_000, "retainedMemoryUpperBytes": 156_467_776}
    assert judge(sse, 159_490_048)[:4] == (True, "146.5", "152.1", "1.04"), judge(sse, 159_490_048)
    # The same projection against a measured growth 30 % low: FAIL.
    assert judge(sse, int(153_616_384 * 0.7))[0] is False
    # Run 4's polling as measured then: heap 55,971,136 → 45,684,424 B, G = −10,286,712 B (−9.8 MiB) < −R: baseline moved.
    poll = {"retainedMemoryBytes": 6_537_000, "memoryResolutionBytes": 356_424, "memoryResolved": False,
            "retainedMemoryLowerBytes": 2_000_000, "retainedMemoryUpperBytes": 9_500_000}
    ok, _, measured, ratio, why = judge(poll, 45_684_424 - 55_971_136)
    assert (ok, measured, ratio) == (False, "fell 9.8", "—") and "baseline moved" in why, (ok, measured, why)
    # Interval 2,000,000–9,500,000 B (1.9–9.1 MiB): 6,291,456 B (6.0 MiB) lies inside, ratio to the middle 5,750,000 = 1.09.
    assert judge(poll, 6_291_456)[:4] == (True, "1.9–9.1 (interval)", "6.0", "1.09"), judge(poll, 6_291_456)
    # 10,000,000 B is above the interval: FAIL.
    assert judge(poll, 10_000_000)[0] is False
    # Below the resolution (|G| = 100,000 < 356,424): said as "< 0.34", no ratio; outside a resolved projection: FAIL.
    assert judge(sse, 100_000)[:4] == (False, "146.5", "< 0.34", "—"), judge(sse, 100_000)
    assert judge(sse, -100_000)[2] == "< 0.34"
    # An interval reaching 0 holds a growth below the resolution: PASS, still without a ratio.
    zero = {"retainedMemoryBytes": 2_851_392, "memoryResolutionBytes": 356_424, "memoryResolved": False,
            "retainedMemoryLowerBytes": 0, "retainedMemoryUpperBytes": 2_851_392}
    assert judge(zero, 200_000)[:4] == (True, "0.0–2.7 (interval)", "< 0.34", "—"), judge(zero, 200_000)
    # Resolution unknown (older plan.json): as before, a ratio against the projection.
    old = {"retainedMemoryBytes": 6_537_000}
    assert judge(old, 6_537_000)[:4] == (True, "6.2", "6.2", "1.00")
    print("capacity_memory self-test: 9 cases passed")


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        self_test()
    else:
        sys.exit("usage: capacity_memory.py --self-test")
