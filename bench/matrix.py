#!/usr/bin/env python3
"""Prints the ndarray matrix: each cell is NumPy's time / ours in the same run (above 1: tensorbridge is
faster), rows op/layout, columns dtype x size, then the summary (min, median, cells below 1.0x).
Usage: matrix.py java.txt python.txt"""
import statistics
import sys

from compare import load


def main():
    java, py = load(sys.argv[1]), load(sys.argv[2])
    ratios = {}
    for name, t in java.items():
        if name in py and t > 0:
            ratios[name] = py[name] / t
    if not ratios:
        print("no common cells")
        return
    rows, cols = [], []
    for name in ratios:
        op, layout, dt, sz = name.split("/")
        if (op, layout) not in rows:
            rows.append((op, layout))
        if (dt, sz) not in cols:
            cols.append((dt, sz))
    cols.sort(key=lambda c: (c[1] != "1M", ["float32", "float64", "int32", "uint8"].index(c[0])))
    print(f"{'op/layout':24}" + "".join(f"{dt[:3] + dt[-2:] if dt != 'uint8' else 'u8'}/{sz:>3}".rjust(10) for dt, sz in cols))
    for op, layout in rows:
        line = f"{op + '/' + layout:24}"
        for dt, sz in cols:
            r = ratios.get(f"{op}/{layout}/{dt}/{sz}")
            line += (f"{r:9.2f}x" if r is not None else f"{'-':>10}")
        print(line)
    vals = sorted(ratios.values())
    below = sorted((r, n) for n, r in ratios.items() if r < 1.0)
    print(f"\nSUMMARY cells {len(vals)}  min {vals[0]:.2f}x  median {statistics.median(vals):.2f}x  "
          f"below 1.0x: {len(below)}")
    for r, n in below:
        print(f"  below 1.0x: {n} {r:.2f}x")


if __name__ == "__main__":
    main()
