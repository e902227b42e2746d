package org.tensorbridge.ndarray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** An operation's temporaries: zeroed, and back in the pool when the operation ends, not when the GC runs. */
class ScratchTest {
    private static final long BYTES = 24_000;

    @Test
    void buffersAreZeroedAndTheirBlocksAreTheNextOnesAfterTheClose() {
        long address;
        try (Scratch scratch = new Scratch()) {
            MemorySegment s = scratch.zeroed(BYTES);
            assertEquals(BYTES, s.byteSize());
            assertEquals(-1, MemorySegment.mismatch(s, 0, BYTES, MemorySegment.ofArray(new byte[(int) BYTES]), 0, BYTES),
                    "zero-filled");
            s.fill((byte) 7);
            address = s.address();
        }
        try (Scratch scratch = new Scratch()) {
            MemorySegment again = scratch.zeroed(BYTES);
            assertEquals(address, again.address(), "the closed scratch gave its block back at once");
            assertEquals(0, again.get(ValueLayout.JAVA_BYTE, BYTES - 1), "zero-filled again");
        }
    }

    @Test
    void aClosedScratchRefusesNewBuffers() {
        Scratch scratch = new Scratch();
        scratch.close();
        assertThrows(IllegalStateException.class, () -> scratch.zeroed(8));
    }
}
