package org.tensorbridge.bench;

import org.tensorbridge.core.DType;

import java.lang.foreign.Arena;
import org.tensorbridge.ndarray.NDArray;

/**
 * What an array's lifetime costs: a small NDArray op with its result closed (NumPy: the same op, its
 * result dropped), and — as the reason behind NDBuffer's design — a shared arena's create+close, which
 * NumPy has no counterpart for. bench/array_lifetime.sh runs both sides.
 */
public final class ArrayLifetimeBench {
    private ArrayLifetimeBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        try (NDArray small = NDArray.ones(DType.FLOAT32, 100)) {
            // a 3 s warm-up: at half a second, C2 had not always compiled the whole path on the 2-core VM, and
            // the median of nine rounds swung 0.4-3 us between runs of the same build
            Timer.report("small_add_close_100xf32", Timer.medianSeconds(rounds, 20_000, 3_000_000_000L,
                    () -> small.add(1.0).close()));
        }
        Timer.report("shared_arena_create_close", Timer.medianSeconds(rounds, 2_000, () -> {
            Arena arena = Arena.ofShared();
            arena.allocate(64);
            arena.close();
        }));
        Timer.report("confined_arena_create_close", Timer.medianSeconds(rounds, 20_000, () -> {
            Arena arena = Arena.ofConfined();
            arena.allocate(64);
            arena.close();
        }));
    }
}
