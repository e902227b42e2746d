package org.tensorbridge.ndarray;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import org.tensorbridge.core.LeakCheck;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reference-counted off-heap memory shared by arrays, views and native consumers (libtorch tensors).
 *
 * <h2>Lifetime model</h2>
 * <ul>
 *   <li>The creator of a buffer holds one count ({@link #refCount()} starts at 1).</li>
 *   <li>{@link #retain()} adds a count, {@link #release()} removes one; when the count reaches 0 the
 *       buffer is freed: from then on every access through it throws. The memory itself goes back at once
 *       or soon after — pooled blocks ({@link #pooled}: operation results, small buffers) and shares of
 *       foreign memory ({@link #ofForeign}: tensor storage) at once unless their {@link #segment()} was
 *       handed out, memory of {@link #ofAutoScope} when the GC finds it
 *       unreachable, larger buffers, handed-out pooled blocks and those of {@link #ofArena} once a
 *       background thread has closed their shared arenas (closing a shared arena costs a JVM-wide
 *       handshake; {@link #awaitPendingFrees} waits for it). Either way a stale segment can never reach
 *       freed memory, nor another array's. {@link #external} memory is never freed by us (the caller
 *       manages it); it only stops being reachable through this buffer.</li>
 *   <li>Arrays returned by {@link NDArray} factories <em>own</em> one count and {@link NDArray#close()}
 *       releases it (idempotently). Views (slice, transpose, reshape-as-view, ...) reference the same
 *       buffer but own no count; their {@code close()} is a no-op.</li>
 *   <li>Native consumers (e.g. a libtorch tensor wrapping this memory) call {@link #retain()} when they
 *       start using the memory and {@link #release()} from their deleter, so closing the owning array
 *       while a tensor still uses the memory does not free it.</li>
 *   <li>A {@link Cleaner} is registered on every buffer in a shared arena: if the {@code NDBuffer} object
 *       becomes unreachable while its count is still above 0, the memory is freed anyway (safety net) and,
 *       for owned memory, a WARNING is logged through {@link System.Logger} saying that an array was never
 *       closed. Buffers in automatic arenas need no such net: the GC returns their memory with them.</li>
 *   <li>Once the memory is freed, {@link #segment()} and any access through any array throw
 *       {@link IllegalStateException}; FFM segments of a closed arena throw as well, so a use after free
 *       is never a JVM crash.</li>
 * </ul>
 * All counting operations are thread-safe; {@link #release()} never throws.
 */
public final class NDBuffer {
    private static final System.Logger LOG = System.getLogger(NDBuffer.class.getName());
    /** Alignment of memory from {@link #allocate}. */
    public static final long ALIGNMENT = 64;

    /** Everything the cleaner needs; must not reference the NDBuffer itself. */
    private static final class State implements Runnable {
        final AtomicInteger count = new AtomicInteger(1);
        final AtomicBoolean freed = new AtomicBoolean();
        // dropped once freed when the GC reclaims the memory: a closed array that stays referenced must not keep
        // it (only a segment taken from the buffer before may)
        volatile MemorySegment segment;
        final long byteSize;
        final boolean readOnly;
        final Arena arena; // null for external memory and for memory the GC reclaims
        final boolean owned;
        final boolean reclaimedByGc;
        // pooled and foreign memory (segment is an unchecked view for this package's kernels): what returns the
        // block to its pool or gives the foreign owner's share back, and the arena of the checked segment handed
        // out by segment(), once one was
        final Runnable recycle;
        private Arena escapeArena; // guarded by this
        private MemorySegment escaped; // guarded by this
        volatile boolean leaked = true;
        final Throwable creationSite = LeakCheck.creationSite();

        State(MemorySegment segment, Arena arena, boolean owned, boolean reclaimedByGc, Runnable recycle) {
            this.segment = segment;
            this.recycle = recycle;
            this.byteSize = segment.byteSize();
            this.readOnly = segment.isReadOnly();
            this.arena = arena;
            this.owned = owned;
            this.reclaimedByGc = reclaimedByGc;
        }

        /** Runs from release() at count 0 (leaked=false) or from the Cleaner (leaked=true). */
        @Override
        public void run() {
            if (!freed.compareAndSet(false, true)) {
                return;
            }
            boolean wasLeaked = leaked;
            count.set(0);
            // small buffers left to the GC were its to reclaim silently before they came from the pool; they stay
            // silent unless leak checking is on
            if (wasLeaked && owned && (byteSize >= SMALL || LeakCheck.enabled())) {
                LeakCheck.reportLeak("an NDBuffer of " + byteSize + " bytes (an array or a retain()"
                        + " without release())", creationSite);
            }
            if (recycle != null) {
                releasePooled();
            } else if (arena != null) {
                ArenaCloser.close(arena, null);
            } else if (reclaimedByGc) {
                GcReclaim.released(segment);
            }
            if (reclaimedByGc) {
                segment = null;
            }
        }

        /**
         * Pooled or foreign memory whose checked segment never left this package goes back at once: every use of
         * the unchecked one held a count, and the count is 0. Otherwise that segment's arena is closed first
         * (off-thread: a JVM-wide handshake), so that a stale segment throws instead of reaching the block's
         * next array or freed storage.
         */
        private void releasePooled() {
            Arena handedOut;
            synchronized (this) {
                handedOut = escapeArena;
            }
            if (handedOut == null) {
                try {
                    recycle.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "an NDBuffer's release action failed", e);
                }
            } else {
                ArenaCloser.close(handedOut, recycle);
            }
        }

        synchronized MemorySegment checkedSegment(NDBuffer owner) {
            if (freed.get()) {
                throw owner.freedError();
            }
            if (escaped == null) {
                escapeArena = Arena.ofShared();
                escaped = segment.reinterpret(byteSize, escapeArena, null);
            }
            return escaped;
        }
    }

    private final State state;
    private final Cleaner.Cleanable cleanable;
    private Object owner;  // what owns the memory natively (a libtorch tensor handle), or null

    private NDBuffer(MemorySegment segment, Arena arena, boolean owned) {
        this(segment, arena, owned, false);
    }

    private NDBuffer(MemorySegment segment, Arena arena, boolean owned, boolean reclaimedByGc) {
        this(new State(segment, arena, owned, reclaimedByGc, null));
    }

    private NDBuffer(State state) {
        this.state = state;
        // Memory in an automatic arena goes back with its last reference anyway: no Cleaner needed (it would
        // cost more than the allocation of a small array).
        this.cleanable = state.reclaimedByGc ? null : LeakCheck.cleaner().register(this, state);
    }

    /**
     * Below this size, buffers are recycled blocks of {@link OutputPool} (or, without native access, live in
     * automatic arenas reclaimed by the GC); from it on, fresh zero pages in shared arenas closed off-thread
     * after release ({@link ArenaCloser}).
     */
    public static final long SMALL = 1 << 20;

    /** Above this size, memory comes from calloc (fresh zero pages, no memset pass) when native access is on. */
    private static final long CALLOC_THRESHOLD = 1 << 20;
    private static final java.lang.invoke.MethodHandle CALLOC = LibC.FREE == null ? null
            : LibC.downcall("calloc", java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.ADDRESS,
                    java.lang.foreign.ValueLayout.JAVA_LONG, java.lang.foreign.ValueLayout.JAVA_LONG));

    private static NDBuffer callocate(long byteSize) {
        MemorySegment raw;
        // room to start at a huge page boundary, so that huge pages can back all of it (the rest of the
        // allocation is address space, never touched)
        long alignment = HugePages.alignmentFor(byteSize, ALIGNMENT);
        try {
            raw = (MemorySegment) CALLOC.invokeExact(1L, byteSize + alignment);
        } catch (Throwable t) {
            return null;
        }
        if (raw.address() == 0) {
            throw new OutOfMemoryError("calloc of " + byteSize + " bytes failed");
        }
        long aligned = (raw.address() + alignment - 1) & -alignment;
        HugePages.advise(aligned, byteSize);  // like NumPy: fewer page faults and TLB misses on big buffers
        Arena arena = Arena.ofShared();
        MemorySegment seg = MemorySegment.ofAddress(aligned).reinterpret(byteSize, arena, ignored -> {
            try {
                LibC.FREE.invokeExact(raw);
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.ERROR, "free failed", t);
            }
        });
        return new NDBuffer(seg, arena, true);
    }

    /**
     * Allocates {@code byteSize} zero-filled bytes, 64-byte aligned. Throws {@link ArrayAllocationException}
     * when the memory is not there.
     */
    public static NDBuffer allocate(long byteSize) {
        if (byteSize < 0) {
            throw new IllegalArgumentException("negative byte size " + byteSize);
        }
        try {
            return allocateOrFail(byteSize);
        } catch (OutOfMemoryError e) {
            throw new ArrayAllocationException(byteSize, e);
        }
    }

    private static NDBuffer allocateOrFail(long byteSize) {
        if (byteSize < SMALL && OutputPool.available()) {
            NDBuffer b = OutputPool.buffer(byteSize);  // a recycled block: no malloc, no free, no GC
            b.memory().fill((byte) 0);
            return b;
        }
        if (byteSize < SMALL) {
            // Arena.allocate zero-fills; the automatic arena returns the memory once the GC finds it unreachable.
            MemorySegment seg = Arena.ofAuto().allocate(Math.max(byteSize, 1), ALIGNMENT).asSlice(0, byteSize);
            return new NDBuffer(seg, null, true, true);
        }
        if (byteSize >= CALLOC_THRESHOLD && CALLOC != null) {
            NDBuffer b = callocate(byteSize);
            if (b != null) {
                return b;
            }
        }
        Arena arena = Arena.ofShared();
        try {
            // Arena.allocate zero-fills.
            MemorySegment seg = arena.allocate(Math.max(byteSize, 1), ALIGNMENT).asSlice(0, byteSize);
            return new NDBuffer(seg, arena, true);
        } catch (OutOfMemoryError | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Memory whose scope is automatic ({@code Arena.ofAuto()}, possibly with a cleanup action): when the count
     * hits 0 the buffer refuses access at once, and the GC returns the memory once nothing references it —
     * so a stale segment can never reach freed memory. For small buffers, where closing a shared arena
     * (a JVM-wide handshake, about 100 µs) would cost far more than the memory.
     */
    public static NDBuffer ofAutoScope(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        return new NDBuffer(segment, null, true, true);
    }

    /**
     * Memory that another owner holds — a libtorch tensor's storage — of which this buffer holds one share:
     * {@code memory} is an unchecked segment of it (global scope; the caller vouches for its bounds), reached
     * without an arena by this package's kernels while they hold a count, and {@code giveBack} runs once
     * nothing can reach the memory through this buffer any more: at the last release when {@link #segment()}
     * never handed it out, else after that segment's arena is closed (off-thread), so that a stale segment
     * throws instead of reaching freed storage. Releasing costs no JVM-wide handshake and no garbage
     * collection, as {@code tensor.numpy()} costs Python a reference count. {@code giveBack} must not throw
     * (it may run from a native deleter's upcall or the Cleaner).
     */
    public static NDBuffer ofForeign(MemorySegment memory, Runnable giveBack) {
        Objects.requireNonNull(memory, "memory");
        return new NDBuffer(new State(memory, null, true, false, Objects.requireNonNull(giveBack, "giveBack")));
    }

    /**
     * Records what owns this memory natively — e.g. the libtorch tensor whose storage it is — so that a layer
     * that knows that owner can share the memory with it as itself (a view of the same storage) rather than as
     * foreign memory. Set once, by the buffer's creator. Returns this buffer.
     */
    public NDBuffer withOwner(Object nativeOwner) {
        if (owner != null) {
            throw new IllegalStateException("the buffer's owner is already set");
        }
        owner = Objects.requireNonNull(nativeOwner, "nativeOwner");
        return this;
    }

    /** What owns this memory natively ({@link #withOwner}), or null for memory Java allocated or mapped. */
    public Object owner() {
        return owner;
    }

    /** Memory whose lifetime is {@code arena} (e.g. a mmap'd file): the arena is closed when the count hits 0. */
    public static NDBuffer ofArena(MemorySegment segment, Arena arena) {
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(arena, "arena");
        return new NDBuffer(segment, arena, true);
    }

    /**
     * A block of {@link OutputPool} ({@code block} is an unchecked segment of it, global scope): this package's
     * kernels reach it through {@link #memory()} while they hold a count, without an arena; {@link #segment()}
     * hands out a segment of a shared arena of its own, created on the first call. {@code recycle} runs once the
     * count is 0 and that arena, if any, is closed.
     */
    static NDBuffer pooled(MemorySegment block, Runnable recycle) {
        return new NDBuffer(new State(block, null, true, false, Objects.requireNonNull(recycle, "recycle")));
    }

    /**
     * Caller-managed memory (a user's Arena, a direct ByteBuffer, a heap segment): never freed by us. The
     * buffer holds a strong reference to the segment (and so to a backing ByteBuffer).
     */
    public static NDBuffer external(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        return new NDBuffer(segment, null, false);
    }

    /** The memory. Throws IllegalStateException once the buffer was closed/freed. */
    public MemorySegment segment() {
        if (state.recycle != null) {
            return state.checkedSegment(this);
        }
        return memory();
    }

    /**
     * The memory for this package's kernels, which hold a count while they use it and never keep it: for pooled
     * memory an unchecked segment, so that results that never hand out {@link #segment()} go back to the pool
     * without a handshake. Throws IllegalStateException once the buffer was closed/freed.
     */
    MemorySegment memory() {
        MemorySegment segment = state.segment;
        if (segment == null || state.freed.get()) {
            throw freedError();
        }
        return segment;
    }

    /**
     * The address of the memory's first byte, for native consumers that already hold this memory another way
     * (a tensor sharing its own storage back): a number, which gives no access. Throws IllegalStateException
     * once the buffer was closed/freed.
     */
    public long address() {
        return memory().address();
    }

    IllegalStateException freedError() {
        return new IllegalStateException("NDBuffer of " + state.byteSize
                + " bytes was closed/freed (its owning array was closed and no view or native consumer"
                + " retained it); it can no longer be accessed");
    }

    public long byteSize() {
        return state.byteSize;
    }

    public boolean isReadOnly() {
        return state.readOnly;
    }

    /** True for memory we free (allocate / ofArena), false for {@link #external} memory. */
    public boolean isOwned() {
        return state.owned;
    }

    /** Adds one count. Throws IllegalStateException if the memory was already freed. Thread-safe. */
    public NDBuffer retain() {
        AtomicInteger c = state.count;
        while (true) {
            int n = c.get();
            if (n <= 0 || state.freed.get()) {
                throw freedError();
            }
            if (c.compareAndSet(n, n + 1)) {
                return this;
            }
        }
    }

    /**
     * Removes one count and frees the memory when it reaches 0. Thread-safe; never throws (it runs from
     * native deleter upcalls): misuse such as releasing a freed buffer is logged instead.
     */
    public void release() {
        try {
            AtomicInteger c = state.count;
            while (true) {
                int n = c.get();
                if (n <= 0) {
                    LOG.log(System.Logger.Level.WARNING, "release() on an NDBuffer of " + state.byteSize
                            + " bytes that was already freed (more releases than retains)");
                    return;
                }
                if (c.compareAndSet(n, n - 1)) {
                    if (n == 1) {
                        state.leaked = false;
                        if (cleanable != null) {
                            cleanable.clean(); // runs State.run once and unregisters
                        } else {
                            state.run();
                        }
                    }
                    return;
                }
            }
        } catch (Throwable t) {
            try {
                LOG.log(System.Logger.Level.ERROR, "NDBuffer.release failed", t);
            } catch (Throwable ignored) {
                // nothing more we can do; release must never throw
            }
        }
    }

    /**
     * Waits until the memory of every buffer freed so far has been returned (buffers are marked freed at once,
     * but their arenas close on a background thread, since closing a shared arena costs a JVM-wide handshake).
     * Useful before measuring memory, or when a freed buffer was keeping other memory (e.g. a tensor) alive.
     *
     * @return false if memory was still pending after {@code timeout}
     */
    public static boolean awaitPendingFrees(java.time.Duration timeout) {
        return ArenaCloser.awaitEmpty(timeout);
    }

    public boolean isAlive() {
        return !state.freed.get();
    }

    public int refCount() {
        return state.count.get();
    }

    @Override
    public String toString() {
        return "NDBuffer[" + state.byteSize + " bytes, refCount=" + refCount()
                + (state.owned ? "" : ", external") + (isAlive() ? "" : ", freed") + "]";
    }
}
