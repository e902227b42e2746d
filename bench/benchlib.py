"""The one timing loop of the Python baselines, the twin of org.tensorbridge.bench.Timer: warm up, then
the median per-call time of `rounds` rounds of `reps` calls, printed as `RESULT <name> <seconds>`."""
import time


def median_seconds(rounds, reps, fn):
    for _ in range(reps):
        fn()
    per_call = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(reps):
            fn()
        per_call.append((time.perf_counter() - start) / reps)
    per_call.sort()
    return per_call[rounds // 2]


def report(name, seconds):
    print(f"RESULT {name} {seconds:.6e}", flush=True)
