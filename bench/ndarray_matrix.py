#!/usr/bin/env python3
"""NumPy baseline for ArrayMatrixBench: the same cells under the same names (op/layout/dtype/size), timed
the same way: in `passes` passes over all cells, 9 / passes rounds per cell in each (rounded up), each
round of enough calls for ~20 ms after a warm-up (0.3 s in the first pass, 0.1 s in later ones) and in
lockstep with tensorbridge's under bench/lockstep.py; a cell's result is the median of all its rounds, wall
time (RESULT) and process CPU time (CPU); PASS lines give each pass's median, ROUND lines every round.
Usage: ndarray_matrix.py [sizes=1M,16M] [filter regex] [passes=3]"""
import re
import statistics
import sys
import time

import numpy as np

BINARY = ["add", "mul", "div", "compare", "where"]
LAYOUTS = ["contiguous", "scalar", "bcast_row", "bcast_col", "transposed", "strided"]
UNARY_LAYOUTS = ["contiguous", "transposed", "strided"]
DTYPES = [np.float32, np.float64, np.int32, np.uint8]


LOCKSTEP = "--lockstep" in sys.argv


def await_turn(step):
    """Under bench/lockstep.py, waits for this step's turn: the warm-up and each round alternate with
    tensorbridge's, so both sides of a ratio see the same load of a shared machine, round by round."""
    if LOCKSTEP:
        print(f"READY {step}", flush=True)
        if not sys.stdin.readline():
            sys.exit(0)


ROUNDS = 9
rounds_per_pass = ROUNDS
current_pass = 1
cells = {}  # name -> {"reps": calls per round, "wall": [...], "cpu": [...]}, in the order first timed


def timed(name, fn):
    cell = cells.setdefault(name, {"reps": 0, "wall": [], "cpu": []})
    await_turn(f"{name}#p{current_pass}.warm")
    min_warm = 0.3 if current_pass == 1 else 0.1
    t0 = time.perf_counter()
    calls = 0
    while time.perf_counter() - t0 < min_warm or calls < 2:
        fn()
        calls += 1
    if not cell["reps"]:
        cell["reps"] = int(max(1, min(1000, 0.02 / ((time.perf_counter() - t0) / calls))))
    reps = cell["reps"]
    walls = []
    for r in range(rounds_per_pass):
        await_turn(f"{name}#p{current_pass}.r{r}")
        s, c = time.perf_counter(), time.process_time()
        for _ in range(reps):
            fn()
        walls.append((time.perf_counter() - s) / reps)
        print(f"ROUND {name} {current_pass}.{r} {walls[-1]:.6e}")
        cell["cpu"].append((time.process_time() - c) / reps)
    cell["wall"] += walls
    print(f"PASS {name} {current_pass} {statistics.median(walls):.6e}", flush=True)


def data(rng, t, *shape):
    if t in (np.float32, np.float64):
        return rng.random(shape, dtype=t)
    return rng.uniform(1, 255 if t == np.uint8 else 100, shape).astype(t)


def main():
    global rounds_per_pass, current_pass
    args = [a for a in sys.argv[1:] if a != "--lockstep"]
    sizes = args[0] if len(args) > 0 else "1M,16M"
    filt = re.compile(args[1] if len(args) > 1 else ".*")
    passes = int(args[2]) if len(args) > 2 else 3
    if not 1 <= passes <= ROUNDS:
        sys.exit(f"passes must be 1..{ROUNDS}, not {passes}")
    rounds_per_pass = -(-ROUNDS // passes)
    print(f"# numpy {np.__version__}, python {sys.version.split()[0]}")
    for current_pass in range(1, passes + 1):
        for sz in sizes.split(","):
            n = 1 << 24 if sz == "16M" else 1 << 20
            side = round(n ** 0.5)
            for t in DTYPES:
                run_dtype(t, side, sz, filt)
    for name, cell in cells.items():
        print(f"RESULT {name} {statistics.median(cell['wall']):.6e}", flush=True)
        print(f"CPU {name} {statistics.median(cell['cpu']):.6e}", flush=True)


def run_dtype(t, side, sz, filt):
    dt = np.dtype(t).name
    is_float = t in (np.float32, np.float64)
    rng = np.random.default_rng(7)
    r = c = side
    x = data(rng, t, r, c)
    y = data(rng, t, r, c)
    xt = data(rng, t, c, r).T
    x2 = data(rng, t, r, 2 * c)[:, ::2]
    y2 = data(rng, t, r, 2 * c)[:, ::2]
    row = data(rng, t, c)
    col = data(rng, t, r, 1)
    cond = x > (0.5 if is_float else 50.0)
    s = 0.5 if is_float else 3
    s0d = t(s)
    for op in BINARY:
        for layout in LAYOUTS:
            name = f"{op}/{layout}/{dt}/{sz}"
            if not filt.search(name):
                continue
            a = {"transposed": xt, "strided": x2}.get(layout, x)
            b = {"bcast_row": row, "bcast_col": col, "strided": y2, "scalar": None}.get(layout, y)
            if op == "add":
                f = (lambda a=a: a + s) if b is None else (lambda a=a, b=b: a + b)
            elif op == "mul":
                f = (lambda a=a: a * s) if b is None else (lambda a=a, b=b: a * b)
            elif op == "div":
                f = (lambda a=a: a / s) if b is None else (lambda a=a, b=b: a / b)
            elif op == "compare":
                f = (lambda a=a: a > s) if b is None else (lambda a=a, b=b: a > b)
            else:
                f = (lambda a=a: np.where(cond, a, s0d)) if b is None else (lambda a=a, b=b: np.where(cond, a, b))
            timed(name, f)
    for layout in UNARY_LAYOUTS:
        a = {"transposed": xt, "strided": x2}.get(layout, x)
        suffix = f"/{layout}/{dt}/{sz}"
        cases = []
        if is_float:
            cases.append(("exp", lambda a=a: np.exp(a)))
        cases += [("sum_last", lambda a=a: a.sum(-1)), ("sum_first", lambda a=a: a.sum(0)),
                  ("mean", lambda a=a: a.mean())]
        if t == np.float32:
            cases.append(("astype_f16", lambda a=a: a.astype(np.float16)))
        if t == np.uint8:
            cases.append(("astype_f32", lambda a=a: a.astype(np.float32)))
        cases.append(("copy", lambda a=a: a.copy()))
        for op, f in cases:
            if filt.search(op + suffix):
                timed(op + suffix, f)


if __name__ == "__main__":
    main()
