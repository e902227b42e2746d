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
     * tensor, freed when the buffer's last holder lets go (or by the buffer's Cleaner) — so the storage
     * outlives the tensor for as long as any array uses it.
     */
    static NDBuffer holding(Tensor tensor, long span) {
        TensorHandle keepAlive = tensor.handle().share();
        Arena arena = Arena.ofShared();
        MemorySegment memory = MemorySegment.ofAddress(tensor.dataAddress()).reinterpret(span, arena, ignored -> keepAlive.free());
        return NDBuffer.ofArena(memory, arena);
    }
}
