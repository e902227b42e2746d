package org.tensorbridge.torch;

/**
 * An error reported by libtorch (or by the shim around it), carrying libtorch's message without its C++
 * backtrace. Subclasses name the kind of error; the JVM and the library stay usable afterwards.
 */
public class TorchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TorchException(String message) {
        super(message);
    }

    public TorchException(String message, Throwable cause) {
        super(message, cause);
    }
}
