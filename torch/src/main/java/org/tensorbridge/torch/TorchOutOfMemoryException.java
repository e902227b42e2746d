package org.tensorbridge.torch;

/**
 * Thrown when an allocation failed (the CUDA caching allocator's out-of-memory error, or host memory).
 * The program may free tensors and go on; libtorch's message includes the allocator's statistics.
 */
public class TorchOutOfMemoryException extends TorchException {
    private static final long serialVersionUID = 1L;
    private final transient java.util.List<CudaMemory.Stats> stats;

    public TorchOutOfMemoryException(String message) {
        this(message, java.util.List.of());
    }

    /** With the caching allocator's statistics at the time of the failure. */
    public TorchOutOfMemoryException(String message, java.util.List<CudaMemory.Stats> stats) {
        super(stats.isEmpty() ? message : message + "\nallocator: " + stats
                + "\nfree tensors you no longer need (and CudaMemory.emptyCache()), or use smaller batches");
        this.stats = java.util.List.copyOf(stats);
    }

    /** The allocator's statistics per CUDA device when the allocation failed (empty for host memory). */
    public java.util.List<CudaMemory.Stats> memoryStats() {
        return stats == null ? java.util.List.of() : stats;
    }
}
