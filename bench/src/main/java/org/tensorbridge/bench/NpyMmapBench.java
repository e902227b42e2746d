package org.tensorbridge.bench;

import org.tensorbridge.core.DType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.io.MmapMode;
import org.tensorbridge.ndarray.io.NpyFile;
import org.tensorbridge.ndarray.io.NpzArchive;
import org.tensorbridge.ndarray.io.NpzFile;
import org.tensorbridge.ndarray.io.SafeTensors;
import org.tensorbridge.ndarray.io.SafeTensorsFile;

/**
 * File-format benchmarks (run by bench/io.sh next to bench/io_bench.py, same RESULT names):
 * <ul>
 *   <li>{@code mmap_open_1GB}: map a 1 GB .npy, read one element, close (unmap).</li>
 *   <li>{@code npy_read_64MB}: read a 64 MB .npy fully into memory.</li>
 *   <li>{@code safetensors_mmap_open}: open a safetensors file (validate header), get one tensor, read one
 *       element, close.</li>
 *   <li>{@code npz_open_get_256MB}: open a 256 MB stored (np.savez-style, aligned) .npz, get its array — mapped
 *       without a copy, its CRC-32 checked on this first access — read one element, close. NumPy's
 *       {@code np.load(f)['a']} reads (copies) and CRC-checks the entry.</li>
 *   <li>{@code npz_get_again_256MB}: the same entry again from the open archive: checked once, so O(1).</li>
 * </ul>
 * Usage: {@code NpyMmapBench <dir>}; {@code dir} holds big.npy (1 GB float32, made by io.sh), and this program
 * creates mid.npy (64 MB), model.safetensors and stored256.npz there if missing.
 */
public final class NpyMmapBench {
    private NpyMmapBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "/tmp/tb-io-bench");
        Path big = dir.resolve("big.npy");
        Path mid = dir.resolve("mid.npy");
        Path st = dir.resolve("model.safetensors");
        if (!Files.exists(mid)) {
            try (NDArray a = NDArray.zeros(DType.FLOAT32, 16L << 20)) {
                NpyFile.write(mid, a);
            }
        }
        if (!Files.exists(st)) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (int i = 0; i < 64; i++) {
                tensors.put("layer" + i + ".weight", NDArray.zeros(DType.FLOAT32, 256, 256));
                tensors.put("layer" + i + ".bias", NDArray.zeros(DType.FLOAT32, 256));
            }
            SafeTensorsFile.write(st, tensors, Map.of("format", "pt"));
            tensors.values().forEach(NDArray::close);
        }
        Path npz = dir.resolve("stored256.npz");
        if (!Files.exists(npz)) {
            try (NDArray a = NDArray.full(DType.FLOAT32, 1.5, 64L << 20)) {
                NpzFile.write(npz, Map.of("a", a), false);
            }
        }
        double[] sink = new double[1];
        Timer.report("mmap_open_1GB", Timer.medianSeconds(9, 200, () -> {
            try (NDArray a = NpyFile.mmap(big, MmapMode.READ_ONLY)) {
                sink[0] += a.getDouble(a.size() - 1);
            }
        }));
        Timer.report("npy_read_64MB", Timer.medianSeconds(7, 3, () -> {
            try (NDArray a = NpyFile.read(mid)) {
                sink[0] += a.getDouble(12345);
            }
        }));
        Timer.report("safetensors_mmap_open", Timer.medianSeconds(9, 200, () -> {
            try (SafeTensors s = SafeTensorsFile.open(st); NDArray a = s.get("layer63.weight")) {
                sink[0] += a.getDouble(255, 255);
            }
        }));
        Timer.report("npz_open_get_256MB", Timer.medianSeconds(7, 3, () -> {
            try (NpzArchive z = NpzFile.open(npz); NDArray a = z.get("a")) {
                sink[0] += a.getDouble(a.size() - 1);
            }
        }));
        try (NpzArchive z = NpzFile.open(npz)) {
            z.get("a").close();
            Timer.report("npz_get_again_256MB", Timer.medianSeconds(9, 200, () -> {
                try (NDArray a = z.get("a")) {
                    sink[0] += a.getDouble(a.size() - 1);
                }
            }));
        }
        if (sink[0] == 42.4242) {
            System.out.println(sink[0]);
        }
    }
}
