package org.tensorbridge.bridge;

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
     * tensor, so the storage outlives the tensor for as long as the buffer is open. The handle goes back at
     * the buffer's last release — at once, as {@code tensor.numpy()}'s reference does in Python — or, when a
     * segment was taken from the buffer, once that segment's arena is closed, so a stale segment throws
     * instead of reaching freed storage ({@link NDBuffer#ofForeign}).
     */
    static NDBuffer holding(Tensor tensor, long dataAddress, long span) {
        TensorHandle keepAlive = tensor.shareHandle();
        MemorySegment memory = MemorySegment.ofAddress(dataAddress).reinterpret(span);
        return NDBuffer.ofForeign(memory, keepAlive::free).withOwner(keepAlive);
    }
}
