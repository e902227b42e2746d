package org.tensorbridge.data;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Samples addressed by index, each made of the same {@link Field}s. A dataset writes one sample straight
 * into the loader's batch buffers — no object per sample — and may be called from several worker threads at
 * once (for different rows).
 */
public interface Dataset {
    long size();

    List<Field> fields();

    /**
     * Writes sample {@code index} into {@code rows}: for field {@code f}, its {@link Field#bytes()} bytes go to
     * {@code rows.field(f)} at {@code rows.offset(f)}, C-contiguous, little-endian.
     */
    void read(long index, Rows rows) throws Exception;

    /** Where one sample goes: one destination per field, already positioned at the sample's row. */
    interface Rows {
        MemorySegment field(int f);

        long offset(int f);

        /** The epoch being loaded: with the sample index, it seeds random transforms so that runs repeat. */
        default long epoch() {
            return 0;
        }
    }
}
