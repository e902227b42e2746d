#!/usr/bin/env python3
"""Writes the seed corpus of ReaderFuzzTest#anyReader with the real NumPy (and, for safetensors, the format as
the reference implementation writes it). Usage: make_seeds.py <dir>. The files are small on purpose: libFuzzer
mutates them, and plain `mvn test` replays each as a regression test.
"""
import io
import json
import os
import struct
import sys
import zipfile

import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def save(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def npy(a, version=None):
    b = io.BytesIO()
    np.lib.format.write_array(b, np.asanyarray(a), version=version, allow_pickle=False)
    return b.getvalue()


save("npy-f4-2x3", npy(np.arange(6, dtype="<f4").reshape(2, 3)))
save("npy-be-i2", npy(np.arange(5, dtype=">i2")))
save("npy-fortran-f8", npy(np.asfortranarray(np.arange(6.0).reshape(2, 3))))
save("npy-bool", npy(np.array([True, False, True])))
save("npy-0d-c8", npy(np.array(1 + 2j, dtype=np.complex64)))
save("npy-empty-u8", npy(np.zeros((0, 3), np.uint8)))
save("npy-v2-u4", npy(np.arange(3, dtype=np.uint32), version=(2, 0)))
save("npy-v3-f2", npy(np.arange(4, dtype=np.float16), version=(3, 0)))

b = io.BytesIO()
np.savez(b, a=np.arange(6, dtype=np.int32).reshape(2, 3), b=np.array([1.5, 2.5]))
save("npz-stored", b.getvalue())
b = io.BytesIO()
np.savez_compressed(b, a=np.arange(40, dtype=np.int64), m=np.eye(3, dtype=np.float32))
save("npz-deflated", b.getvalue())
b = io.BytesIO()
np.savez(b, a=np.arange(64, dtype=np.uint8))  # uint8: mapped without a copy by NpzFile.open
bad = bytearray(b.getvalue())
bad[zipfile.ZipFile(io.BytesIO(bad)).getinfo("a.npy").header_offset + 30 + 5 + 128 + 20] ^= 0x10  # no extra field
save("npz-stored-bad-crc", bytes(bad))  # NumPy: BadZipFile (Bad CRC-32); every reader must refuse it
b = io.BytesIO()
with zipfile.ZipFile(b, "w", zipfile.ZIP_STORED, allowZip64=True) as z:
    with z.open("x.npy", "w", force_zip64=True) as f:
        f.write(npy(np.arange(4, dtype=np.int16)))
save("npz-zip64", b.getvalue())


def safetensors(tensors, metadata=None):
    header, blobs, off = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, (code, a) in tensors.items():
        raw = np.ascontiguousarray(a).tobytes()
        header[name] = {"dtype": code, "shape": list(a.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


save("st-two", safetensors({"w": ("F32", np.arange(6, dtype="<f4").reshape(2, 3)),
                            "b": ("I8", np.arange(3, dtype=np.int8))}, {"format": "pt"}))
save("st-bf16-empty", safetensors({"h": ("BF16", np.zeros(2, np.uint16)), "e": ("U8", np.zeros(0, np.uint8))}))

# ReaderFuzzTest#builtFromParts reads its choices with a FuzzedDataProvider: seed it with random bytes (fixed
# seed) long enough that libFuzzer starts from inputs that fill every part, instead of growing from 8 bytes.
import random

parts = os.path.join(os.path.dirname(os.path.normpath(out)), "builtFromParts")
os.makedirs(parts, exist_ok=True)
rng = random.Random(13)
for i in range(8):
    with open(os.path.join(parts, "random-%d" % i), "wb") as f:
        f.write(bytes(rng.randrange(256) for _ in range(1024)))
