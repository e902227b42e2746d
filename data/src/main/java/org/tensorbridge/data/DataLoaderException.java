package org.tensorbridge.data;

/** A sample could not be loaded, or loading was stopped: the message names the sample and the cause. */
public final class DataLoaderException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DataLoaderException(String message, Throwable cause) {
        super(message, cause);
    }
}
