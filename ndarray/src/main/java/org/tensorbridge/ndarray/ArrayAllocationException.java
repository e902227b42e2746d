package org.tensorbridge.ndarray;

/**
 * Memory for an array could not be allocated. The message names the size and what to do: free memory
 * (close arrays, or work inside a Scope), use smaller arrays, or map the data from a file instead.
 */
public final class ArrayAllocationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ArrayAllocationException(long bytes, Throwable cause) {
        super("cannot allocate " + bytes + " bytes of off-heap memory for an array: free memory (close arrays you are"
                + " done with, or work inside a Scope), use smaller arrays, or map the data from a file"
                + " (NpyFile.mmap) instead", cause);
    }
}
