package org.tensorbridge.torch;

/**
 * Thrown when an allocation failed (the CUDA caching allocator's out-of-memory error, or host memory).
 * The program may free tensors and go on; libtorch's message includes the allocator's statistics.
 */
public class TorchOutOfMemoryException extends TorchException {
    private static final long serialVersionUID = 1L;

    public TorchOutOfMemoryException(String message) {
        super(message);
    }
}
