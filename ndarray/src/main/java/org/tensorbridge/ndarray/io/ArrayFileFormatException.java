package org.tensorbridge.ndarray.io;

import java.io.IOException;

/**
 * A {@code .npy}, {@code .npz} or safetensors file is malformed, truncated, lies about its sizes, or uses a
 * feature this library does not support. The message says what is wrong (where possible with the byte
 * offset and the expected versus found value) and what to do about it.
 */
public class ArrayFileFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public ArrayFileFormatException(String message) {
        super(message);
    }

    public ArrayFileFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    /** "{@code source}: at byte {@code offset}: {@code message}", the form every reader uses. */
    public static ArrayFileFormatException at(Object source, long offset, String message) {
        return new ArrayFileFormatException(source + ": at byte " + offset + ": " + message);
    }

    static ArrayFileFormatException in(Object source, String message) {
        return new ArrayFileFormatException(source + ": " + message);
    }
}
