#!/usr/bin/env python3
"""Prints the ndarray matrix: each cell is NumPy's time / ours in the same run (above 1: tensorbridge is
faster), rows op/layout, columns dtype x size, then the summary (min, median, cells below 1.0x) — once for
wall time and once for process CPU time (CPU lines: all threads, so it is robust against other processes'
load but does not credit our parallel loops). A wall-time cell is the median over its rounds of NumPy's
round / ours (ROUND lines: under bench/lockstep.py the two sides' rounds of a step ran back to back, under
the same load, so a load that lasts longer than a round cancels out of each pair); the summary also gives
each side's median round (RESULT lines) divided, as a check. A cell below 1.0x names the JIT's compile
time during its timed rounds where there was any (the compiler threads then took a core from the loops) and
its ratio in each pass. The wall-time summary also gives each pass on its own (PASS lines: the median of that
pass's rounds of a cell), which is what a benchmark timing each cell in one window would have reported.
Where the Java side probed after each round how far apart the host had put two threads (PLACE lines), the
rounds are grouped by that placement. Usage: matrix.py java.txt python.txt"""
import statistics
import sys


def records(path, tag, fields):
    """The lines of `path` that start with `tag` and have `fields` words, split into words."""
    with open(path) as f:
        return [parts for parts in (line.split() for line in f) if len(parts) == fields and parts[0] == tag]


def load(path, tag):
    """{cell: seconds} from `<tag> <cell> <seconds>` lines (RESULT, CPU)."""
    return {name: float(t) for _, name, t in records(path, tag, 3)}


def jit_ms(path):
    """Compile time during each cell's timed rounds: `JIT <cell> <ms> ms (warm-up <s> s)` lines."""
    return {parts[1]: int(parts[2]) for parts in records(path, "JIT", 7)}


def ratio_pairs(java_path, py_path, tag):
    """[(cell, step, NumPy's time / ours)] for the steps both sides timed: `<tag> <cell> <step> <seconds>`
    lines (PASS: step = pass; ROUND: step = <pass>.<round>)."""
    def keyed(path):
        return {(name, step): float(t) for _, name, step, t in records(path, tag, 4)}
    java, py = keyed(java_path), keyed(py_path)
    return [(name, step, py[(name, step)] / t) for (name, step), t in java.items() if (name, step) in py and t > 0]


def paired_ratios(java_path, py_path, rounds=None):
    """{cell: median over its rounds of NumPy's round / ours} (ROUND lines, or `rounds` from ratio_pairs)."""
    pairs = {}
    for name, _, r in rounds if rounds is not None else ratio_pairs(java_path, py_path, "ROUND"):
        pairs.setdefault(name, []).append(r)
    return {name: statistics.median(r) for name, r in pairs.items()}


def pass_ratios(java_path, py_path):
    """{cell: {pass: NumPy's time / ours}} from the PASS lines (each side's median round of that pass)."""
    ratios = {}
    for name, p, r in ratio_pairs(java_path, py_path, "PASS"):
        ratios.setdefault(name, {})[int(p)] = r
    return ratios


def pass_summary(per_pass):
    """One line per pass: its cells' median and how many were below 1.0x, then the cells below in any pass."""
    passes = sorted({p for r in per_pass.values() for p in r})
    if len(passes) < 2:
        return
    for p in passes:
        vals = sorted(r[p] for r in per_pass.values() if p in r)
        below = sum(v < 1.0 for v in vals)
        print(f"  pass {p} alone: cells {len(vals)}  min {vals[0]:.2f}x  median {statistics.median(vals):.2f}x  "
              f"below 1.0x: {below}")
    dipped = sum(any(v < 1.0 for v in r.values()) for r in per_pass.values())
    print(f"  cells below 1.0x in at least one pass: {dipped}")


# PLACE levels: a cache line's round trip between two threads (ns) and where the machine had put them
PLACES = [(50, "one core's two hardware threads"), (150, "two cores, one L3"), (1000, "two L3 domains"),
          (float("inf"), "a vCPU not running")]


def place_of(ns):
    return next(i for i, (bound, _) in enumerate(PLACES) if ns < bound)


def placement(java_path, py_path):
    """Sets each round beside where the host had put two threads right after it (PLACE lines, see PLACES): per
    level, its rounds, our round / our cell's median round, and NumPy's round / ours; then the cells below
    1.0x counted without the rounds on one physical core (a loop split over two hardware threads of one core
    runs at about one core's speed, NumPy's single thread does not notice)."""
    places = {(name, step): place_of(int(ns)) for _, name, step, ns in records(java_path, "PLACE", 4)}
    if not places:
        return
    ours = {(name, step): float(t) for _, name, step, t in records(java_path, "ROUND", 4)}
    by_cell = {}
    for (name, _), t in ours.items():
        by_cell.setdefault(name, []).append(t)
    cell_median = {name: statistics.median(ts) for name, ts in by_cell.items()}
    rounds = ratio_pairs(java_path, py_path, "ROUND")
    pairs = {(name, step): r for name, step, r in rounds}
    print("== where the host had put two threads after each round (PLACE: a cache line's round trip)")
    for level, (bound, where) in enumerate(PLACES):
        keys = [k for k, p in places.items() if p == level and k in pairs]
        if not keys:
            continue
        slower = statistics.median(ours[k] / cell_median[k[0]] for k in keys)
        ratio = statistics.median(pairs[k] for k in keys)
        print(f"  {where} (under {bound} ns): {len(keys)} rounds ({100 * len(keys) / len(places):.0f}%)  "
              f"our round / our cell's median {slower:.2f}  NumPy / ours {ratio:.2f}x")
    for name, r in sorted(paired_ratios(java_path, py_path, rounds).items()):
        if r < 1.0:
            on_one_core = [step for (n, step), p in sorted(places.items()) if n == name and p == 0]
            print(f"  {name} ({r:.2f}x): rounds on one core: {len(on_one_core)} of {len(by_cell[name])} "
                  f"{' '.join(on_one_core)}")
    apart = {}
    for k, r in pairs.items():
        if places.get(k, 0) != 0:
            apart.setdefault(k[0], []).append(r)
    vals = sorted(statistics.median(r) for r in apart.values())
    print(f"  leaving out the rounds on one core (a diagnostic; the summary above counts every round): cells "
          f"{len(vals)}  min {vals[0]:.2f}x  median {statistics.median(vals):.2f}x  below 1.0x: "
          f"{sum(v < 1.0 for v in vals)}")
    print()


def table(title, java, py, jit=None, per_pass=None, paired=None):
    unpaired = {n: py[n] / t for n, t in java.items() if n in py and t > 0}
    ratios = {n: paired.get(n, r) for n, r in unpaired.items()} if paired else unpaired
    if not ratios:
        print(f"{title}: no common cells")
        return
    rows, cols = [], []
    for name in ratios:
        op, layout, dt, sz = name.split("/")
        if (op, layout) not in rows:
            rows.append((op, layout))
        if (dt, sz) not in cols:
            cols.append((dt, sz))
    order = ["float32", "float64", "int32", "uint8"]
    cols.sort(key=lambda c: (c[1] != "1M", order.index(c[0]) if c[0] in order else 9))
    short = {"float32": "f32", "float64": "f64", "int32": "i32", "uint8": "u8"}
    print(f"== {title}: NumPy time / tensorbridge time (above 1: faster than NumPy)")
    print(f"{'op/layout':24}" + "".join(f"{short.get(dt, dt)}/{sz}".rjust(9) for dt, sz in cols))
    for op, layout in rows:
        line = f"{op + '/' + layout:24}"
        for dt, sz in cols:
            r = ratios.get(f"{op}/{layout}/{dt}/{sz}")
            line += f"{r:8.2f}x" if r is not None else f"{'-':>9}"
        print(line)
    vals = sorted(ratios.values())
    below = sorted((r, n) for n, r in ratios.items() if r < 1.0)
    print(f"SUMMARY ({title}) cells {len(vals)}  min {vals[0]:.2f}x  median {statistics.median(vals):.2f}x  "
          f"below 1.0x: {len(below)}")
    for r, n in below:
        note = f" (JIT {jit[n]} ms during the rounds)" if jit and jit.get(n) else ""
        if per_pass and len(per_pass.get(n, {})) > 1:
            note += " (passes: " + " ".join(f"{v:.2f}x" for _, v in sorted(per_pass[n].items())) + ")"
        print(f"  below 1.0x: {n} {r:.2f}x{note}")
    if paired:
        vals = sorted(unpaired.values())
        print(f"  unpaired (each side's median round): min {vals[0]:.2f}x  median {statistics.median(vals):.2f}x  "
              f"below 1.0x: {sum(v < 1.0 for v in vals)}")
    if per_pass:
        pass_summary(per_pass)
    print()


def main():
    table("wall time", load(sys.argv[1], "RESULT"), load(sys.argv[2], "RESULT"), jit_ms(sys.argv[1]),
          pass_ratios(sys.argv[1], sys.argv[2]), paired_ratios(sys.argv[1], sys.argv[2]))
    placement(sys.argv[1], sys.argv[2])
    table("CPU time", load(sys.argv[1], "CPU"), load(sys.argv[2], "CPU"))


if __name__ == "__main__":
    main()
