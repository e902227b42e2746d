package org.tensorbridge.cli;

/** The machine lacks what a command needs (a dataset, CUDA): exit code 3, the message says how to get it. */
public final class EnvironmentException extends RuntimeException {
    public EnvironmentException(String message) {
        super(message);
    }
}
