package org.tensorbridge.dist;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.tensorbridge.core.Scope;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.TorchException;
import org.tensorbridge.torch.internal.Distributed;

/**
 * A group of processes that run collectives together: libtorch's c10d {@code ProcessGroupGloo} (CPU tensors) and,
 * where the shim has it and a GPU is usable, {@code ProcessGroupNCCL} (CUDA tensors), over a TCP store (the master,
 * rank 0, hosts it) or a file store on a shared file system — the engine under PyTorch's {@code torch.distributed},
 * so a Java rank and a Python rank can share one group.
 * <pre>{@code
 * try (ProcessGroup group = ProcessGroup.fromEnvironment()) {   // MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE
 *     group.allReduce(t);                                       // sums t over the ranks, in place
 * }
 * }</pre>
 * Every collective is bounded by the group's timeout: a rank that dies or hangs makes the others fail with a
 * {@link DistException} naming the rank and the timeout, never hang. The blocking methods wait for completion;
 * the {@code ...Async} ones return a {@link Work}. All ranks must call the same collectives in the same order.
 *
 * <p>Security: c10d has no authentication. Anyone who can reach the store's port (or Gloo's) can join or disturb the
 * group: keep them on a trusted network (loopback for local runs).
 */
public final class ProcessGroup implements AutoCloseable {
    /** PyTorch's default for Gloo groups is 30 minutes; ours is shorter, so a dead rank is noticed. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    private final int rank;
    private final int worldSize;
    private final Duration timeout;
    private final String rendezvous;
    private final Set<Backend> backends;
    private MemorySegment pointer;
    private boolean reduceScatterByAllReduce;

    private ProcessGroup(MemorySegment pointer, int rank, int worldSize, Duration timeout, String rendezvous,
            Set<Backend> backends) {
        this.pointer = pointer;
        this.backends = Collections.unmodifiableSet(backends);
        this.rank = rank;
        this.worldSize = worldSize;
        this.timeout = timeout;
        this.rendezvous = rendezvous;
    }

    /** Whether Gloo groups (CPU tensors) can be made here; {@link #unavailableReason()} says why not. */
    public static boolean isAvailable() {
        return Distributed.unavailableReason() == null;
    }

    /** Null when {@link #isAvailable()}; otherwise why not and how to fix it. */
    public static String unavailableReason() {
        return Distributed.unavailableReason();
    }

    /**
     * Whether rank 0's TCP store listens on the master address only, not on every interface. True with every
     * supported libtorch: from 2.1 on the shim binds the socket to {@code masterAddress} and hands it to c10d's
     * TCPStore; on 1.13, whose TCPStore has no bind address, the shim runs its own store on such a socket (not
     * wire-compatible with PyTorch's TCPStore: groups mixing Java and Python ranks meet through a file store).
     */
    public static boolean storeListensOnMasterAddressOnly() {
        return Distributed.storeBindsAddress();
    }

    /** The c10d backends a group can hold: collectives on CUDA tensors run on NCCL, all others on Gloo. */
    public enum Backend { GLOO, NCCL }

    /** Whether groups can hold NCCL: the shim was built with it and a CUDA device is usable here. */
    public static boolean isNcclAvailable() {
        return Distributed.ncclUnavailableReason() == null;
    }

    /** Null when {@link #isNcclAvailable()}; otherwise why not and how to fix it. */
    public static String ncclUnavailableReason() {
        return Distributed.ncclUnavailableReason();
    }

    /**
     * What the factories without a backend argument give, like PyTorch 2.x's default group ({@code "cpu:gloo,cuda:nccl"}):
     * Gloo, plus NCCL for CUDA tensors where {@link #isNcclAvailable()}.
     */
    public static Set<Backend> defaultBackends() {
        Set<Backend> backends = EnumSet.noneOf(Backend.class);
        if (isAvailable()) {
            backends.add(Backend.GLOO);
        }
        if (isNcclAvailable()) {
            backends.add(Backend.NCCL);
        }
        return backends.isEmpty() ? EnumSet.of(Backend.GLOO) : backends;  // Gloo's error then says what is missing
    }

    /**
     * A group ({@link #defaultBackends()}) over a TCP store at {@code masterAddress:masterPort}, hosted by rank 0 (as torchrun's
     * {@code env://}); the store listens on {@code masterAddress} (see {@link #storeListensOnMasterAddressOnly()}).
     * This rank's Gloo connections bind to {@code 127.0.0.1} when the master is on loopback, else to the machine's
     * hostname ({@code GLOO_HOSTNAME} in {@link #fromEnvironment} overrides).
     */
    public static ProcessGroup tcp(String masterAddress, int masterPort, int rank, int worldSize, Duration timeout) {
        return tcp(masterAddress, masterPort, rank, worldSize, timeout, defaultGlooHost(masterAddress));
    }

    public static ProcessGroup tcp(String masterAddress, int masterPort, int rank, int worldSize, Duration timeout,
            String glooHostname) {
        return tcp(masterAddress, masterPort, rank, worldSize, timeout, glooHostname, defaultBackends());
    }

    /** A group of the given backends (see {@link Backend}) over a TCP store; {@code glooHostname} as above. */
    public static ProcessGroup tcp(String masterAddress, int masterPort, int rank, int worldSize, Duration timeout,
            String glooHostname, Set<Backend> backends) {
        check(rank, worldSize);
        if (masterPort <= 0 || masterPort > 65535) {
            throw new IllegalArgumentException("MASTER_PORT " + masterPort + " is not a TCP port (1-65535)");
        }
        String where = "tcp://" + masterAddress + ":" + masterPort;
        return create(backends, Distributed.STORE_TCP, masterAddress, masterPort, rank == 0, rank, worldSize, timeout,
                glooHostname, where);
    }

    /**
     * An NCCL-only group (CUDA tensors; each rank on its own GPU, e.g. {@code Device.cuda(localRank)}) over a TCP store.
     *
     * @throws UnsupportedOperationException when {@link #isNcclAvailable()} is false, saying why
     */
    public static ProcessGroup nccl(String masterAddress, int masterPort, int rank, int worldSize, Duration timeout) {
        return tcp(masterAddress, masterPort, rank, worldSize, timeout, null, EnumSet.of(Backend.NCCL));
    }

    /**
     * A group over a file store, with {@link #defaultBackends()}: every rank names the same file (on a file system they
     * all see); Gloo binds to 127.0.0.1, so this is for ranks on one machine.
     */
    public static ProcessGroup file(Path path, int rank, int worldSize, Duration timeout) {
        return file(path, rank, worldSize, timeout, defaultBackends());
    }

    public static ProcessGroup file(Path path, int rank, int worldSize, Duration timeout, Set<Backend> backends) {
        check(rank, worldSize);
        String where = "file://" + path.toAbsolutePath();
        return create(backends, Distributed.STORE_FILE, path.toAbsolutePath().toString(), 0, false, rank, worldSize,
                timeout, "127.0.0.1", where);
    }

    /**
     * The variable naming a file store for {@link #fromEnvironment}: {@code tensorbridge run} sets it for ranks on one
     * machine, so that no store listens on a TCP port at all.
     */
    public static final String STORE_FILE_VARIABLE = "TENSORBRIDGE_STORE_FILE";

    /**
     * From torchrun's environment variables (MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE), with the default timeout;
     * with {@value #STORE_FILE_VARIABLE} set (as {@code tensorbridge run} does on one machine), over that file store.
     */
    public static ProcessGroup fromEnvironment() {
        return fromEnvironment(System.getenv(), DEFAULT_TIMEOUT);
    }

    public static ProcessGroup fromEnvironment(Map<String, String> env, Duration timeout) {
        String storeFile = env.get(STORE_FILE_VARIABLE);
        if (storeFile != null && !storeFile.isBlank()) {
            return file(Path.of(storeFile), intVar(env, "RANK", null), intVar(env, "WORLD_SIZE", null), timeout);
        }
        String address = env.getOrDefault("MASTER_ADDR", "127.0.0.1");
        int port = intVar(env, "MASTER_PORT", null);
        int rank = intVar(env, "RANK", null);
        int worldSize = intVar(env, "WORLD_SIZE", null);
        String glooHost = env.getOrDefault("GLOO_HOSTNAME", defaultGlooHost(address));
        return tcp(address, port, rank, worldSize, timeout, glooHost);
    }

    /** LOCAL_RANK as torchrun sets it (the rank on this machine), or RANK when absent. */
    public static int localRank(Map<String, String> env) {
        return env.containsKey("LOCAL_RANK") ? intVar(env, "LOCAL_RANK", null) : intVar(env, "RANK", null);
    }

    private static int intVar(Map<String, String> env, String name, Integer fallback) {
        String value = env.get(name);
        if (value == null) {
            if (fallback != null) {
                return fallback;
            }
            throw new IllegalStateException(name + " is not set: start this program with `tensorbridge run --nproc N -- ...`"
                    + " (or torchrun), or set MASTER_ADDR, MASTER_PORT, RANK and WORLD_SIZE by hand");
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException(name + "=" + value + " is not an integer");
        }
    }

    private static String defaultGlooHost(String masterAddress) {
        try {
            return InetAddress.getByName(masterAddress).isLoopbackAddress() ? "127.0.0.1" : null;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static void check(int rank, int worldSize) {
        if (worldSize < 1) {
            throw new IllegalArgumentException("WORLD_SIZE " + worldSize + " must be at least 1");
        }
        if (rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("RANK " + rank + " is outside the world of WORLD_SIZE " + worldSize
                    + " (ranks are 0.." + (worldSize - 1) + ")");
        }
    }

    private static ProcessGroup create(Set<Backend> backends, int storeKind, String address, int port, boolean isServer,
            int rank, int worldSize, Duration timeout, String glooHost, String where) {
        Objects.requireNonNull(timeout, "timeout");
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("no backend: pass Backend.GLOO, Backend.NCCL or both");
        }
        if (backends.contains(Backend.GLOO) && !isAvailable()) {
            throw new UnsupportedOperationException(unavailableReason());
        }
        if (backends.contains(Backend.NCCL) && !isNcclAvailable()) {
            throw new UnsupportedOperationException("NCCL is not available: " + ncclUnavailableReason()
                    + ". Use Backend.GLOO (CPU tensors), or build the shim against a CUDA libtorch with NCCL");
        }
        int bits = (backends.contains(Backend.GLOO) ? Distributed.BACKEND_GLOO : 0)
                | (backends.contains(Backend.NCCL) ? Distributed.BACKEND_NCCL : 0);
        try {
            MemorySegment p = Distributed.newGroup(bits, storeKind, address, port, isServer, rank, worldSize, glooHost,
                    Math.max(1, timeout.toMillis()));
            return new ProcessGroup(p, rank, worldSize, timeout, where, EnumSet.copyOf(backends));
        } catch (TorchException e) {
            throw new DistException(rendezvousMessage(e.getMessage(), rank, worldSize, timeout, where, port), e);
        }
    }

    private static String rendezvousMessage(String message, int rank, int worldSize, Duration timeout, String where,
            int port) {
        String head = "rank " + rank + " of " + worldSize + ": could not join the process group at " + where + ": ";
        String lower = message.toLowerCase(java.util.Locale.ROOT);
        if (message.contains("sizeof(impl_) == bytes.size()")) {
            // Gloo's pairs exchanged address lists of different lengths: the ranks were given different world sizes
            return head + "the ranks disagree on WORLD_SIZE (this one has " + worldSize + "): start every rank with the"
                    + " same WORLD_SIZE. (" + message + ")";
        }
        if (message.contains("the ranks disagree on WORLD_SIZE")) {
            return head + message + ": start every rank with the same WORLD_SIZE";
        }
        if (lower.contains("address already in use")) {
            return head + "port " + port + " is in use (another run, or another program): pick a free MASTER_PORT. ("
                    + message + ")";
        }
        if (lower.contains("timeout") || lower.contains("timed out")) {
            return head + "not all " + worldSize + " ranks arrived within " + timeout.toMillis()
                    + " ms: check that every rank was started with the same WORLD_SIZE, MASTER_ADDR and MASTER_PORT, and"
                    + " that rank 0 is running. (" + message + ")";
        }
        if (lower.contains("connection refused") || lower.contains("connect")) {
            return head + "nobody answers there: is rank 0 running, and are MASTER_ADDR/MASTER_PORT right? (" + message
                    + ")";
        }
        return head + message;
    }

    public int rank() {
        return rank;
    }

    /** The backends this group holds: CUDA tensors go to NCCL, the others to Gloo. */
    public Set<Backend> backends() {
        return backends;
    }

    public int worldSize() {
        return worldSize;
    }

    public Duration timeout() {
        return timeout;
    }

    String describe() {
        return "rank " + rank + " of " + worldSize + " (" + rendezvous + ", timeout " + timeout.toMillis() + " ms)";
    }

    DistException failure(String what, TorchException e) {
        String message = e.getMessage();
        String lower = message.toLowerCase(java.util.Locale.ROOT);
        String hint = lower.contains("timed out") || lower.contains("timeout")
                ? ": another rank did not take part within the timeout (hung, or calling other collectives)"
                : lower.contains("connection closed") || lower.contains("reset by peer") || lower.contains("broken pipe")
                        || lower.contains("read error") || lower.contains("write error")
                        ? ": another rank has gone (crashed or was killed)" : "";
        if (lower.contains("timed out")) {
            return new DistTimeoutException(describe() + ": " + what + " failed" + hint + " (" + message + ")");
        }
        return new DistException(describe() + ": " + what + " failed" + hint + " (" + message + ")", e);
    }

    /** The native group, for the reducer of {@link DataParallel}. */
    MemorySegment handle() {
        return live();
    }

    private MemorySegment live() {
        if (pointer == null) {
            throw new IllegalStateException(describe() + ": the process group is closed");
        }
        return pointer;
    }

    private Work start(String what, Distributed.Kind kind, List<Tensor> list, Tensor single, int arg) {
        try {
            return new Work(this, what, Distributed.collective(live(), kind, list, single, arg));
        } catch (TorchException e) {
            throw failure(what, e);
        }
    }

    private void run(Work work) {
        try (work) {
            work.await();
        }
    }

    /** Reduces {@code tensor} over all ranks, in place (every rank gets the result). */
    public Tensor allReduce(Tensor tensor) {
        return allReduce(tensor, ReduceOp.SUM);
    }

    public Tensor allReduce(Tensor tensor, ReduceOp op) {
        run(allReduceAsync(tensor, op));
        return tensor;
    }

    public Work allReduceAsync(Tensor tensor, ReduceOp op) {
        return start("all_reduce", Distributed.Kind.ALLREDUCE, List.of(tensor), null, op.code);
    }

    /** Copies {@code root}'s {@code tensor} into every other rank's, in place. */
    public Tensor broadcast(Tensor tensor, int root) {
        run(broadcastAsync(tensor, root));
        return tensor;
    }

    public Work broadcastAsync(Tensor tensor, int root) {
        checkRoot(root);
        return start("broadcast", Distributed.Kind.BROADCAST, List.of(tensor), null, root);
    }

    /** Fills {@code outputs.get(r)} with rank r's {@code input}; {@code outputs} has one tensor per rank. */
    public void allGather(List<Tensor> outputs, Tensor input) {
        run(allGatherAsync(outputs, input));
    }

    public Work allGatherAsync(List<Tensor> outputs, Tensor input) {
        checkPerRank(outputs, "allGather outputs");
        return start("all_gather", Distributed.Kind.ALLGATHER, outputs, input, 0);
    }

    /** Reduces {@code inputs.get(r)} over all ranks into rank r's {@code output}. */
    public Tensor reduceScatter(Tensor output, List<Tensor> inputs, ReduceOp op) {
        run(reduceScatterAsync(output, inputs, op));
        return output;
    }

    public Work reduceScatterAsync(Tensor output, List<Tensor> inputs, ReduceOp op) {
        checkPerRank(inputs, "reduceScatter inputs");
        if (!reduceScatterByAllReduce) {
            try {
                return start("reduce_scatter", Distributed.Kind.REDUCE_SCATTER, inputs, output, op.code);
            } catch (DistException e) {
                if (!e.getMessage().contains("does not support reduce_scatter")) {
                    throw e;
                }
                reduceScatterByAllReduce = true;  // Gloo before 2.x: all-reduce the stacked inputs, keep our part
            }
        }
        Tensor stacked;
        try (Scope scope = Scope.open()) {
            stacked = scope.detach(Tensor.stack(inputs, 0));
        }
        Work work;
        try {
            work = start("reduce_scatter", Distributed.Kind.ALLREDUCE, List.of(stacked), null, op.code);
        } catch (RuntimeException e) {
            stacked.close();
            throw e;
        }
        return work.then(() -> {
            try (Scope scope = Scope.open()) {
                output.copy_(stacked.select(0, rank));
            }
        }, stacked);
    }

    /** Returns when every rank has reached its barrier. */
    public void barrier() {
        run(barrierAsync());
    }

    public Work barrierAsync() {
        return start("barrier", Distributed.Kind.BARRIER, List.of(), null, 0);
    }

    private void checkRoot(int root) {
        if (root < 0 || root >= worldSize) {
            throw new IllegalArgumentException("root " + root + " is outside the world of size " + worldSize);
        }
    }

    private void checkPerRank(List<Tensor> tensors, String what) {
        if (tensors.size() != worldSize) {
            throw new IllegalArgumentException(what + ": " + tensors.size() + " tensors for a world of " + worldSize
                    + " ranks (one per rank)");
        }
    }

    /** Shuts the group down (waits for its queued collectives, each bounded by the timeout). Idempotent. */
    @Override
    public void close() {
        if (pointer != null) {
            MemorySegment p = pointer;
            pointer = null;
            Distributed.freeGroup(p);
        }
    }
}
