package org.tensorbridge.dist;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import org.tensorbridge.torch.TorchException;
import org.tensorbridge.torch.internal.Distributed;

/**
 * A collective in flight (c10d's Work). {@link #await} blocks until it completed, failed, or the timeout ran out;
 * close it when done (closing does not cancel: the group's own timeout bounds a collective).
 */
public final class Work implements AutoCloseable {
    private final ProcessGroup group;
    private final String what;
    private MemorySegment pointer;
    private Runnable onComplete;
    private AutoCloseable resource;

    Work(ProcessGroup group, String what, MemorySegment pointer) {
        this.group = group;
        this.what = what;
        this.pointer = pointer;
    }

    /** Runs {@code action} once, after the first successful await; closes {@code resource} with this work. */
    Work then(Runnable action, AutoCloseable resource) {
        this.onComplete = action;
        this.resource = resource;
        return this;
    }

    /** Waits at most the group's timeout. */
    public void await() {
        await(group.timeout());
    }

    /**
     * Waits until the collective completed.
     *
     * @throws DistTimeoutException when {@code timeout} runs out first
     * @throws DistException when the collective failed (a rank died or hung past the group's timeout)
     */
    public void await(Duration timeout) {
        MemorySegment p = live();
        boolean done;
        try {
            done = Distributed.waitWork(p, Math.max(1, timeout.toMillis()));
        } catch (TorchException e) {
            throw group.failure(what, e);
        }
        if (!done) {
            throw new DistTimeoutException(group.describe() + ": " + what + " did not complete within " + timeout.toMillis()
                    + " ms: another rank is slow, hung or gone (each rank must call the same collectives in the same order)");
        }
        if (onComplete != null) {
            Runnable action = onComplete;
            onComplete = null;
            action.run();
        }
    }

    public boolean isCompleted() {
        return Distributed.workCompleted(live());
    }

    private MemorySegment live() {
        if (pointer == null) {
            throw new IllegalStateException(what + ": this work is closed");
        }
        return pointer;
    }

    @Override
    public void close() {
        if (pointer != null) {
            Distributed.freeWork(pointer);
            pointer = null;
            if (resource != null) {
                try {
                    resource.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }
}
