package org.tensorbridge.core;

/**
 * A tensor or array that was never closed, found by {@link LeakCheck}. Its cause is a throwable made where
 * the resource was created: its stack trace shows the line to fix.
 */
public final class ResourceLeakException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ResourceLeakException(String what, Throwable creationSite) {
        super(what + " was never closed: the garbage collector found it still open. Close it (try-with-resources),"
                + " or create it inside a Scope; it was created at the cause's stack trace", creationSite);
    }
}
