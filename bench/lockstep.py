#!/usr/bin/env python3
"""Runs two matrix benchmarks step by step in alternation (ours, then NumPy's: each cell's warm-up, then each of
its timed rounds), so that both sides of a ratio are measured under the same load of a shared machine, down to
~20 ms apart. Each benchmark prints `READY <step>` and waits for a line on stdin before running that step.
Usage: lockstep.py JAVA_OUT PY_OUT -- JAVA_CMD... -- PY_CMD..."""
import subprocess
import sys


def main():
    argv = sys.argv[1:]
    java_out, py_out = argv[0], argv[1]
    rest = argv[3:]
    split = rest.index("--")
    cmds = [rest[:split], rest[split + 1:]]
    procs = [subprocess.Popen(c, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1) for c in cmds]
    outs = [open(java_out, "w"), open(py_out, "w")]

    def until_ready(i):
        for line in procs[i].stdout:
            if line.startswith("READY "):
                return line.split()[1]
            outs[i].write(line)
            if line.startswith(("RESULT", "PASS", "#")):
                print(("java " if i == 0 else "numpy ") + line, end="", flush=True)
        return None

    def run_step(i):
        procs[i].stdin.write("go\n")
        procs[i].stdin.flush()

    ready = [until_ready(0), until_ready(1)]
    while ready[0] is not None and ready[1] is not None:
        if ready[0] != ready[1]:
            sys.exit(f"benchmarks out of step: {ready[0]} vs {ready[1]}")
        run_step(0)
        ready[0] = until_ready(0)
        run_step(1)
        ready[1] = until_ready(1)
    for i in (0, 1):
        procs[i].stdin.close()
        for line in procs[i].stdout:
            outs[i].write(line)
        procs[i].wait()
        outs[i].close()


if __name__ == "__main__":
    main()
