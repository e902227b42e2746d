package org.tensorbridge.torch.internal;

import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one upcall stub that libtorch calls when it lets go of memory it did not allocate (from_blob's
 * deleter). Each wrap registers a release action under a fresh id; the stub runs and forgets it. The stub
 * may run on any thread (autograd's included) and never lets an exception escape, which would kill the JVM.
 */
public final class Deleters {
    private static final System.Logger LOG = System.getLogger(Deleters.class.getName());
    private static final ConcurrentHashMap<Long, Runnable> PENDING = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT_ID = new AtomicLong(1);
    private static final MemorySegment STUB;

    static {
        try {
            var target = MethodHandles.lookup().findStatic(Deleters.class, "release", MethodType.methodType(void.class, long.class));
            STUB = Native.linker().upcallStub(target, Native.DELETER, Arena.global());
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Deleters() {
    }

    /** Registers {@code action}; returns the context id to hand to the shim with {@link #stub()}. */
    public static long register(Runnable action) {
        long id = NEXT_ID.getAndIncrement();
        PENDING.put(id, action);
        return id;
    }

    public static MemorySegment stub() {
        return STUB;
    }

    /** Runs the action registered under {@code id} now, if libtorch never took it (a failed wrap). */
    public static void releaseNow(long id) {
        release(id);
    }

    /** How many wrapped memory regions libtorch still holds. */
    public static int pending() {
        return PENDING.size();
    }

    private static void release(long id) {
        try {
            Runnable action = PENDING.remove(id);
            if (action != null) {
                action.run();
            }
        } catch (Throwable t) {
            try {
                LOG.log(Level.ERROR, "releasing memory shared with libtorch failed", t);
            } catch (Throwable ignored) {
                // nothing may escape an upcall
            }
        }
    }
}
