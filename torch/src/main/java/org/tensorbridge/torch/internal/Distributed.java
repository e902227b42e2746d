package org.tensorbridge.torch.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;
import org.tensorbridge.torch.Tensor;

/**
 * The shim's c10d calls (tensorbridge.h, "distributed"): process groups and their works are opaque pointers,
 * freed with {@link #freeGroup} / {@link #freeWork}. Kept apart from {@link Native} so that the distributed
 * layer's binding sits in one file; it uses the same library, linker and status mapping.
 */
public final class Distributed {
    private static final MethodHandle AVAILABLE = fn("tb_dist_available", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle PG_NEW = fn("tb_pg_new", status(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle PG_FREE = fn("tb_pg_free", status(ADDRESS));
    private static final MethodHandle ALLREDUCE = fn("tb_pg_allreduce", status(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle BROADCAST = fn("tb_pg_broadcast", status(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle ALLGATHER = fn("tb_pg_allgather", status(ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle REDUCE_SCATTER = fn("tb_pg_reduce_scatter",
            status(ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle BARRIER = fn("tb_pg_barrier", status(ADDRESS, ADDRESS));
    private static final MethodHandle WORK_WAIT = fn("tb_work_wait", status(ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle WORK_COMPLETED = fn("tb_work_is_completed", status(ADDRESS, ADDRESS));
    private static final MethodHandle WORK_FREE = fn("tb_work_free", status(ADDRESS));
    private static final MethodHandle NCCL_AVAILABLE = fn("tb_dist_nccl_available",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle STORE_BINDS = fn("tb_dist_store_binds_address", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle STORE = fn("tb_pg_store", status(ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG,
            ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
    private static final MethodHandle DDP_NEW = fn("tb_ddp_new", status(ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    private static final MethodHandle DDP_SET_SYNC = fn("tb_ddp_set_sync", status(ADDRESS, JAVA_INT));
    private static final MethodHandle DDP_FINISH = fn("tb_ddp_finish", status(ADDRESS));
    private static final MethodHandle DDP_STATS = fn("tb_ddp_stats", status(ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle DDP_FREE = fn("tb_ddp_free", status(ADDRESS));

    /** The shim's TB_DDP_STAT_* count (tensorbridge.h). */
    public static final int REDUCER_STATS = 5;

    public static final int STORE_TCP = 0, STORE_FILE = 1;
    /** Backend bits of {@link #newGroup} (tensorbridge.h, tb_backend). */
    public static final int BACKEND_GLOO = 1, BACKEND_NCCL = 2;

    private Distributed() {
    }

    /** Null when Gloo process groups (CPU tensors) can be made; otherwise why not and how to fix it. */
    public static String unavailableReason() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment reason = arena.allocate(1024);
            int ok = (int) AVAILABLE.invokeExact(reason, 1024L);
            return ok == 1 ? null : reason.getString(0);
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    /** Null when groups can have an NCCL backend (built in, and a CUDA device is usable); otherwise why not. */
    public static String ncclUnavailableReason() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment reason = arena.allocate(1024);
            int ok = (int) NCCL_AVAILABLE.invokeExact(reason, 1024L);
            return ok == 1 ? null : reason.getString(0);
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    public static MemorySegment newGroup(int backends, int storeKind, String address, int port, boolean isServer,
            int rank, int worldSize, String glooHostname, long timeoutMillis) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            MemorySegment host = glooHostname == null ? MemorySegment.NULL : arena.allocateFrom(glooHostname);
            Status.check((int) PG_NEW.invokeExact(backends, storeKind, arena.allocateFrom(address), port, isServer ? 1 : 0,
                    rank, worldSize, host, timeoutMillis, out));
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    public static void freeGroup(MemorySegment group) {
        try {
            Status.check((int) PG_FREE.invokeExact(group));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    /** Collective kinds for {@link #collective}. */
    public enum Kind { ALLREDUCE, BROADCAST, ALLGATHER, REDUCE_SCATTER, BARRIER }

    /**
     * Starts a collective and returns its work. {@code list} are the tensors (allreduce, broadcast) or the
     * per-rank outputs (allgather) / inputs (reduce-scatter); {@code single} is allgather's input or
     * reduce-scatter's output; {@code arg} is the reduce op or the root rank.
     */
    public static MemorySegment collective(MemorySegment group, Kind kind, List<Tensor> list, Tensor single, int arg) {
        TensorHandle[] handles = new TensorHandle[list.size()];
        TensorHandle singleHandle = null;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment array = arena.allocate(ADDRESS, Math.max(1, handles.length));
            for (int i = 0; i < handles.length; i++) {
                handles[i] = list.get(i).shareHandle();
                array.setAtIndex(ADDRESS, i, handles[i].pointer);
            }
            if (single != null) {
                singleHandle = single.shareHandle();
            }
            MemorySegment out = arena.allocate(ADDRESS);
            int n = handles.length;
            int code = switch (kind) {
                case ALLREDUCE -> (int) ALLREDUCE.invokeExact(group, array, n, arg, out);
                case BROADCAST -> (int) BROADCAST.invokeExact(group, array, n, arg, out);
                case ALLGATHER -> (int) ALLGATHER.invokeExact(group, array, n, singleHandle.pointer, out);
                case REDUCE_SCATTER -> (int) REDUCE_SCATTER.invokeExact(group, singleHandle.pointer, array, n, arg, out);
                case BARRIER -> (int) BARRIER.invokeExact(group, out);
            };
            Status.check(code);
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw Status.unexpected(t);
        } finally {
            // The work holds its own references to the tensors.
            for (TensorHandle h : handles) {
                if (h != null) {
                    h.free();
                }
            }
            if (singleHandle != null) {
                singleHandle.free();
            }
        }
    }

    /** Waits for a work; false when {@code timeoutMillis} ran out first (0: the group's own timeout only). */
    public static boolean waitWork(MemorySegment work, long timeoutMillis) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment timedOut = arena.allocate(JAVA_INT);
            Status.check((int) WORK_WAIT.invokeExact(work, timeoutMillis, timedOut));
            return timedOut.get(JAVA_INT, 0) == 0;
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    public static boolean workCompleted(MemorySegment work) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            Status.check((int) WORK_COMPLETED.invokeExact(work, out));
            return out.get(JAVA_INT, 0) != 0;
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    public static void freeWork(MemorySegment work) {
        try {
            Status.check((int) WORK_FREE.invokeExact(work));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    /**
     * Whether rank 0's TCP store listens on the master address only, not on every interface: true with every supported
     * libtorch (2.1+: c10d's TCPStore on a socket the shim bound; 1.13: the shim's own store).
     */
    public static boolean storeBindsAddress() {
        try {
            return (int) STORE_BINDS.invokeExact() == 1;
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    /**
     * A gradient reducer over {@code group} (tb_ddp_new): {@code bucketOf[i]} is parameter i's bucket, -1 for none.
     * Free it with {@link #freeReducer}.
     */
    public static MemorySegment newReducer(MemorySegment group, List<Tensor> params, int[] bucketOf, int bucketCount) {
        TensorHandle[] handles = new TensorHandle[params.size()];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment array = arena.allocate(ADDRESS, Math.max(1, handles.length));
            for (int i = 0; i < handles.length; i++) {
                handles[i] = params.get(i).shareHandle();
                array.setAtIndex(ADDRESS, i, handles[i].pointer);
            }
            MemorySegment buckets = arena.allocateFrom(JAVA_INT, bucketOf.length == 0 ? new int[1] : bucketOf);
            MemorySegment out = arena.allocate(ADDRESS);
            Status.check((int) DDP_NEW.invokeExact(group, array, handles.length, buckets, bucketCount, out));
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw Status.unexpected(t);
        } finally {
            for (TensorHandle h : handles) {
                if (h != null) {
                    h.free();  // the reducer holds its own references
                }
            }
        }
    }

    /** false: the reducer's hooks do nothing (no_sync). */
    public static void reducerSetSync(MemorySegment reducer, boolean enabled) {
        try {
            Status.check((int) DDP_SET_SYNC.invokeExact(reducer, enabled ? 1 : 0));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    /** Starts what the hooks did not, waits for every bucket and writes the averaged gradients. */
    public static void reducerFinish(MemorySegment reducer) {
        try {
            Status.check((int) DDP_FINISH.invokeExact(reducer));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    /** The last finished round's statistics, in tensorbridge.h's TB_DDP_STAT_* order. */
    public static long[] reducerStats(MemorySegment reducer) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG, REDUCER_STATS);
            Status.check((int) DDP_STATS.invokeExact(reducer, out, REDUCER_STATS));
            return out.toArray(JAVA_LONG);
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    public static void freeReducer(MemorySegment reducer) {
        try {
            Status.check((int) DDP_FREE.invokeExact(reducer));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    /** tensorbridge.h's tb_store_op: what {@link #store} does with the group's rendezvous store. */
    public enum StoreOp { SET, GET, ADD, COMPARE_SET, DELETE, CHECK, NUM_KEYS, WAIT }

    /** What a {@link #store} call gave back: a value (GET, COMPARE_SET) or a number (ADD, DELETE, CHECK, NUM_KEYS). */
    public record StoreResult(byte[] value, long number) {
    }

    /**
     * One operation on the group's rendezvous store (tb_pg_store, c10d::Store's semantics): {@code a} is SET's value
     * and COMPARE_SET's expected value, {@code b} COMPARE_SET's desired one; {@code number} ADD's delta and WAIT's
     * timeout in ms.
     */
    public static StoreResult store(MemorySegment group, StoreOp op, String key, byte[] a, byte[] b, long number) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment first = a.length == 0 ? MemorySegment.NULL : arena.allocateFrom(JAVA_BYTE, a);
            MemorySegment second = b.length == 0 ? MemorySegment.NULL : arena.allocateFrom(JAVA_BYTE, b);
            MemorySegment length = arena.allocate(JAVA_LONG);
            MemorySegment out = arena.allocate(JAVA_LONG);
            int capacity = Math.max(256, a.length + b.length);  // room for what COMPARE_SET can answer, mostly
            while (true) {
                MemorySegment buffer = arena.allocate(capacity);
                Status.check((int) STORE.invokeExact(group, op.ordinal(), arena.allocateFrom(key), first, (long) a.length,
                        second, (long) b.length, number, buffer, (long) capacity, length, out));
                long size = length.get(JAVA_LONG, 0);
                if (size <= capacity) {
                    return new StoreResult(buffer.asSlice(0, size).toArray(JAVA_BYTE), out.get(JAVA_LONG, 0));
                }
                if (op != StoreOp.GET) {
                    // COMPARE_SET must not run twice; its answer is at most the larger of the two values
                    throw new IllegalStateException("the store answered " + size + " bytes to a " + op);
                }
                capacity = Math.toIntExact(size);
            }
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    private static FunctionDescriptor status(MemoryLayout... arguments) {
        return FunctionDescriptor.of(JAVA_INT, arguments);
    }

    private static MethodHandle fn(String name, FunctionDescriptor descriptor) {
        Linker linker = Native.linker();
        MemorySegment symbol = Native.library().symbols().find(name).orElseThrow(() -> new UnsatisfiedLinkError(
                "symbol " + name + " missing from " + Native.library().path()
                        + ": the shim is older than this jar; rebuild it with torch/native/build.sh"));
        return linker.downcallHandle(symbol, descriptor);
    }
}
