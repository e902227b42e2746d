package org.tensorbridge.notebook;

/** A message the kernel does not act on: unsigned, wrongly signed, replayed or malformed. */
final class RefusedMessageException extends Exception {
    RefusedMessageException(String message) {
        super(message);
    }
}
