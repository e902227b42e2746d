package org.tensorbridge.core;

/**
 * Something a {@link Scope} can own: tensors, arrays, and composites of them (a batch, a pair of results).
 * Closing is idempotent and never throws a checked exception.
 *
 * <p>Implementations hold a {@link ScopeLink} per native resource; a composite forwards
 * {@link #moveScope} to its parts.
 */
public interface Scoped extends AutoCloseable {
    @Override
    void close();

    /**
     * Moves this resource (each of its parts) from scope {@code from} to scope {@code to} — or makes it
     * independent when {@code to} is null. Parts that do not belong to {@code from} stay where they are.
     * Called by {@link Scope#keep} and {@link Scope#detach}; users call those instead.
     */
    void moveScope(Scope from, Scope to);
}
