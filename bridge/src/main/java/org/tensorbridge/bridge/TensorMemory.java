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
     * tensor, freed when the GC finds the buffer's segment unreachable — so the storage outlives the tensor
     * for as long as any array (or a segment taken from one) uses it, and a stale segment never reaches
     * freed memory. The segment lives in an automatic arena: releasing it costs no JVM-wide handshake (a
     * shared arena's close costs 20-50 µs here). Storage of 1 MiB or more is watched by {@link HeldStorage},
     * which asks for a collection once enough of it is held only by released arrays.
     */
    static NDBuffer holding(Tensor tensor, long dataAddress, long span) {
        TensorHandle keepAlive = tensor.shareHandle();
        MemorySegment start = MemorySegment.ofAddress(dataAddress);
        long storageBytes = keepAlive.storageBytes();
        if (storageBytes < NDBuffer.SMALL) {
            // Small storage: let the GC free the handle, as tensor.numpy() lets Python's refcount do.
            return NDBuffer.ofAutoScope(start.reinterpret(span, Arena.ofAuto(), ignored -> keepAlive.free()))
                    .withOwner(keepAlive);
        }
        HeldStorage.held(tensor, storageBytes);
        MemorySegment segment = start.reinterpret(span, Arena.ofAuto(), ignored -> {
            keepAlive.free();
            HeldStorage.collected(tensor);
        });
        return NDBuffer.ofAutoScope(segment, HeldStorage::check).withOwner(keepAlive);
    }
}
