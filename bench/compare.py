#!/usr/bin/env python3
"""Prints Java and Python timings side by side with their ratio.

Both inputs hold lines `RESULT <name> <seconds>`, written by the Java benchmark (org.tensorbridge.bench.Timer)
and by the Python baseline of the same run. Ratio = python / java: above 1 means tensorbridge is faster.
"""
import sys


def load(path):
    results = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[0] == "RESULT":
                results[parts[1]] = float(parts[2])
    return results


def human(seconds):
    for unit, scale in (("s", 1), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if seconds >= scale:
            return f"{seconds / scale:8.2f} {unit}"
    return f"{seconds / 1e-9:8.2f} ns"


def main():
    java, python = load(sys.argv[1]), load(sys.argv[2])
    print(f"{'benchmark':44} {'tensorbridge':>12} {'python':>12} {'python/java':>12}")
    for name in java:
        if name in python:
            ratio = python[name] / java[name] if java[name] > 0 else float("inf")
            print(f"{name:44} {human(java[name]):>12} {human(python[name]):>12} {ratio:11.2f}x")
        else:
            print(f"{name:44} {human(java[name]):>12} {'-':>12} {'-':>12}")


if __name__ == "__main__":
    main()
