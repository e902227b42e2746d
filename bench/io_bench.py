#!/usr/bin/env python3
"""NumPy baseline for NpyMmapBench (same RESULT names). Usage: io_bench.py <dir> (big.npy, mid.npy, model.safetensors, stored256.npz).

safetensors is not installed, so safetensors_mmap_open does what safetensors' safe_open does with numpy:
mmap the file, parse and check the JSON header, and view one tensor with np.frombuffer.
"""
import json
import mmap
import os
import statistics
import struct
import sys

import numpy as np

from benchlib import median_seconds, report


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "/tmp/tb-io-bench"
    big, mid, st, npz = (os.path.join(d, f) for f in ("big.npy", "mid.npy", "model.safetensors", "stored256.npz"))
    sink = [0.0]

    def mmap_open():
        a = np.load(big, mmap_mode="r")
        sink[0] += float(a[-1])
        del a

    def npy_read():
        a = np.load(mid)
        sink[0] += float(a[12345])

    def st_open():
        with open(st, "rb") as f:
            m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        n = struct.unpack("<Q", m[:8])[0]
        header = json.loads(m[8:8 + n].decode("utf-8"))
        header.pop("__metadata__", None)
        pos = 0
        for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
            b, e = info["data_offsets"]
            assert b == pos and e - b == int(np.prod(info["shape"])) * 4
            pos = e
        assert 8 + n + pos == len(m)
        info = header["layer63.weight"]
        b, e = info["data_offsets"]
        a = np.frombuffer(m, dtype=np.float32, count=(e - b) // 4, offset=8 + n + b).reshape(info["shape"])
        sink[0] += float(a[255, 255])
        del a
        m.close()

    def npz_open_get():
        # np.load of an .npz reads the entry (it has no zero-copy path) and zipfile checks its CRC-32
        with np.load(npz) as z:
            a = z["a"]
            sink[0] += float(a[-1])
            del a

    report("mmap_open_1GB", median_seconds(9, 200, mmap_open))
    report("npy_read_64MB", median_seconds(7, 3, npy_read))
    report("safetensors_mmap_open", median_seconds(9, 200, st_open))
    report("npz_open_get_256MB", median_seconds(7, 3, npz_open_get))


if __name__ == "__main__":
    main()
