package org.tensorbridge.cli;

/** A bad setting found after parsing (a value from the environment or .env, a combination of flags): exit code 2. */
public final class UsageException extends IllegalArgumentException {
    public UsageException(String message) {
        super(message);
    }
}
