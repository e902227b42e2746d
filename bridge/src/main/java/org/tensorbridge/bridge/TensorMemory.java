package org.tensorbridge.bridge;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.tensorbridge.ndarray.NDBuffer;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.internal.TensorHandle;

/** NDArray buffers over memory that a libtorch tensor owns. */
final class TensorMemory {
    private TensorMemory() {
    }

    /**
     * A buffer over {@code span} bytes from the tensor's first element that holds a second handle on the
     * tensor, freed after the buffer's last holder lets go (or by the buffer's Cleaner) — so the storage
     * outlives the tensor for as long as any array uses it. Large storage is let go as soon as the buffer's
     * arena closes; small storage when the GC finds the buffer unreachable.
     */
    static NDBuffer holding(Tensor tensor, long dataAddress, long span) {
        TensorHandle keepAlive = tensor.shareHandle();
        MemorySegment start = MemorySegment.ofAddress(dataAddress);
        if (keepAlive.storageBytes() < NDBuffer.SMALL) {
            // Small storage: let the GC free the handle, as tensor.numpy() lets Python's refcount do.
            return NDBuffer.ofAutoScope(start.reinterpret(span, Arena.ofAuto(), ignored -> keepAlive.free()))
                    .withOwner(keepAlive);
        }
        Arena arena = Arena.ofShared();
        return NDBuffer.ofArena(start.reinterpret(span, arena, ignored -> keepAlive.free()), arena).withOwner(keepAlive);
    }
}
