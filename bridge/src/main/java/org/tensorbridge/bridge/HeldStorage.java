package org.tensorbridge.bridge;

import java.util.IdentityHashMap;
import java.util.Map;
import org.tensorbridge.torch.Tensor;

/**
 * Tensor storage that released arrays still hold until the GC collects their segments. Arrays over tensor
 * memory live in automatic arenas, so releasing one costs no JVM-wide handshake (a shared arena's close,
 * 20-50 µs here, against about 1 µs for {@code tensor.numpy()}); the GC cannot see the native memory they
 * keep, though. While the source tensor is open, that memory is in use anyway; once the tensor is closed,
 * the held storage is only waiting for a collection: when 256 MiB of it has piled up, ask for one, as the
 * JDK does for direct ByteBuffers. Checked whenever an array over tensor memory is made or released.
 */
final class HeldStorage {
    private static final long TRIGGER_BYTES = 256L << 20;

    /** Per source tensor: its storage's bytes, the arrays' handles not yet collected, and whether counted. */
    private static final class Entry {
        final long bytes;
        int uncollected;
        boolean counted;

        Entry(long bytes) {
            this.bytes = bytes;
        }
    }

    private static final Map<Tensor, Entry> HELD = new IdentityHashMap<>();
    private static long idleBytes;

    private HeldStorage() {
    }

    /** Records one more array handle on {@code tensor}'s storage of {@code bytes}; checks the others first. */
    static void held(Tensor tensor, long bytes) {
        check();
        add(tensor, bytes);
    }

    private static synchronized void add(Tensor tensor, long bytes) {
        Entry e = HELD.computeIfAbsent(tensor, t -> new Entry(bytes));
        e.uncollected++;
    }

    /** One of {@code tensor}'s array handles was collected (the GC found its segment unreachable). */
    static synchronized void collected(Tensor tensor) {
        Entry e = HELD.get(tensor);
        if (e != null && --e.uncollected == 0) {
            HELD.remove(tensor);
        }
    }

    /** Counts the storage of closed tensors once; asks for a collection when enough waits for one. */
    static void check() {
        if (countClosed()) {
            System.gc();  // outside the lock: the Cleaner's collected() calls need it
        }
    }

    private static synchronized boolean countClosed() {
        for (Map.Entry<Tensor, Entry> m : HELD.entrySet()) {
            Entry e = m.getValue();
            if (!e.counted && m.getKey().isClosed()) {
                e.counted = true;
                idleBytes += e.bytes;
            }
        }
        if (idleBytes < TRIGGER_BYTES) {
            return false;
        }
        idleBytes = 0;
        return true;
    }
}
