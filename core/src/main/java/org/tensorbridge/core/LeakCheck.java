package org.tensorbridge.core;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;

/**
 * Leak checking for tensors and arrays. Off by default: then a resource nobody closed is freed by the
 * garbage collector's safety net with a warning. On (system property {@code tensorbridge.leakCheck=true} or
 * environment variable {@code TENSORBRIDGE_LEAK_CHECK=true}), every resource remembers where it was created,
 * and one that the GC finds unclosed becomes a {@link ResourceLeakException} carrying that stack: logged at
 * ERROR at once, and thrown by {@link #assertNoLeaks()} (the project's own tests run with it on).
 *
 * <p>The creation stack costs a few microseconds per resource: turn it on in tests and while hunting a
 * leak, not in production.
 */
public final class LeakCheck {
    private static final System.Logger LOG = System.getLogger(LeakCheck.class.getName());
    private static final boolean ENABLED = Boolean.getBoolean("tensorbridge.leakCheck")
            || "true".equalsIgnoreCase(System.getenv("TENSORBRIDGE_LEAK_CHECK"))
            || "1".equals(System.getenv("TENSORBRIDGE_LEAK_CHECK"));
    private static final Cleaner CLEANER = Cleaner.create();
    private static final List<ResourceLeakException> LEAKS = new ArrayList<>();

    private LeakCheck() {
    }

    public static boolean enabled() {
        return ENABLED;
    }

    /** The one Cleaner of tensorbridge's safety nets (one thread for tensors, arrays and buffers). */
    public static Cleaner cleaner() {
        return CLEANER;
    }

    /** Where a resource is being created, to keep with it while leak checking is on; null when off. */
    public static Throwable creationSite() {
        return ENABLED ? new Throwable("created here") : null;
    }

    /**
     * Reports a resource the garbage collector found unclosed (called from a Cleaner: never throws). With
     * leak checking off ({@code creationSite} null) this only logs a warning.
     */
    public static void reportLeak(String what, Throwable creationSite) {
        try {
            if (creationSite == null) {
                LOG.log(System.Logger.Level.WARNING, what + " was garbage-collected without close(); the safety net"
                        + " freed it. Close it (try-with-resources) or create it inside a Scope; run with"
                        + " -Dtensorbridge.leakCheck=true to see where it was created");
                return;
            }
            ResourceLeakException leak = new ResourceLeakException(what, creationSite);
            synchronized (LEAKS) {
                LEAKS.add(leak);
            }
            LOG.log(System.Logger.Level.ERROR, leak.getMessage(), leak);
        } catch (Throwable ignored) {
            // a Cleaner action must never throw
        }
    }

    /** The leaks found so far, which are forgotten: for tests that leak on purpose. */
    public static List<ResourceLeakException> takeLeaks() {
        synchronized (LEAKS) {
            List<ResourceLeakException> found = List.copyOf(LEAKS);
            LEAKS.clear();
            return found;
        }
    }

    /**
     * Throws the first leak found so far (the others suppressed in it) and forgets them. Leaks are found
     * when the GC collects the resource: run {@link #collectGarbage()} first to find them promptly.
     */
    public static void assertNoLeaks() {
        List<ResourceLeakException> found = takeLeaks();
        if (!found.isEmpty()) {
            ResourceLeakException first = found.getFirst();
            found.subList(1, found.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    /**
     * Runs the garbage collector until the safety nets have processed what it found unreachable (bounded: at
     * most about a second).
     */
    public static void collectGarbage() {
        for (int round = 0; round < 2; round++) {
            var processed = new java.util.concurrent.CountDownLatch(1);
            Object sentinel = new Object();
            CLEANER.register(sentinel, processed::countDown);
            sentinel = null;
            for (int i = 0; i < 50 && processed.getCount() > 0; i++) {
                System.gc();
                try {
                    processed.await(10, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
