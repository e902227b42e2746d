package org.tensorbridge.core;

import java.util.List;
import java.util.function.Supplier;

/**
 * Owns the tensors and arrays created on its thread while it is open, and closes them when it closes — as
 * tch-rs frees a temporary at the end of its statement, or JavaCPP's {@code PointerScope} and DJL's
 * {@code NDManager} do for their objects:
 * <pre>{@code
 * try (Scope scope = Scope.open()) {
 *     Tensor loss = x.matmul(w).add(b).relu().sum();   // no temporary is named, none leaks
 *     loss.backward();
 *     return scope.keep(loss.detach());                  // hands the result to the enclosing scope
 * }
 * }</pre>
 *
 * <ul>
 *   <li>Scopes nest as a stack per thread; a resource belongs to the innermost scope open on the thread that
 *       created it. A thread with no open scope creates independent resources, closed by their owner (or, as
 *       a safety net, by the garbage collector, which reports them).</li>
 *   <li>{@link #keep} hands a result to the enclosing scope (or makes it independent at the outermost
 *       scope); {@link #detach} makes it independent at once. Escaping is always explicit.</li>
 *   <li>Closing a resource explicitly still works, and is idempotent: the scope then skips it.</li>
 *   <li>Closing the scope closes what it owns in reverse order of creation (an exception thrown inside a
 *       try-with-resources scope frees everything), after closing any scope still open inside it.</li>
 *   <li>A scope belongs to its thread: only that thread may keep, detach or close. Resources may still be
 *       used and closed on other threads. Virtual threads have their own stack of scopes.</li>
 * </ul>
 */
public final class Scope implements AutoCloseable {
    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

    private final Scope parent;
    private final Thread owner = Thread.currentThread();
    private final ScopeLink members = new ScopeLink(null);  // sentinel of a circular list, newest last
    private int size;
    private boolean closed;

    private Scope(Scope parent) {
        this.parent = parent;
        members.previous = members;
        members.next = members;
    }

    /** Opens a scope nested in the current thread's innermost scope (if any). Close it: try-with-resources. */
    public static Scope open() {
        Scope scope = new Scope(CURRENT.get());
        CURRENT.set(scope);
        return scope;
    }

    /** The innermost scope open on this thread, or null. */
    public static Scope current() {
        return CURRENT.get();
    }

    /**
     * Runs {@code body} in a scope of its own and returns its result, kept by the enclosing scope: every
     * temporary the body made is closed.
     */
    public static <T extends Scoped> T compute(Supplier<T> body) {
        try (Scope scope = open()) {
            return scope.keep(body.get());
        }
    }

    /** Runs {@code body} in a scope of its own: everything it creates and does not keep is closed. */
    public static void run(Runnable body) {
        try (Scope scope = open()) {
            body.run();
        }
    }

    /** The enclosing scope, or null for an outermost scope. */
    public Scope parent() {
        return parent;
    }

    /**
     * Hands {@code resource} (each part of a composite) from this scope to the enclosing one, or makes it
     * independent when this scope is outermost. Parts owned elsewhere stay where they are. Returns it.
     */
    public <T extends Scoped> T keep(T resource) {
        checkUsable("keep");
        resource.moveScope(this, parent);
        return resource;
    }

    /** {@link #keep} for each element. */
    public <T extends Scoped> List<T> keepAll(List<T> resources) {
        for (T resource : resources) {
            keep(resource);
        }
        return resources;
    }

    /**
     * Makes {@code resource} independent of this scope and of the scopes enclosing it: its owner must close
     * it. Returns it.
     */
    public <T extends Scoped> T detach(T resource) {
        checkUsable("detach");
        for (Scope s = this; s != null; s = s.parent) {
            resource.moveScope(s, null);
        }
        return resource;
    }

    /**
     * Makes this scope own {@code resource}: an independent tensor or array, or any other closeable (a
     * file, a loader), which is then closed with the scope. Returns it.
     */
    public <T extends AutoCloseable> T attach(T resource) {
        checkUsable("attach");
        if (resource instanceof Scoped scoped) {
            scoped.moveScope(null, this);
        } else {
            append(new ScopeLink(resource));
        }
        return resource;
    }

    /** How many resources this scope owns now (including ones closed on other threads). */
    public int size() {
        return size;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes every scope still open inside this one, then what this scope owns, newest first. The first
     * exception a close throws is rethrown after all were closed (later ones are suppressed).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        checkOwnerThread();
        RuntimeException failure = null;
        for (Scope inner = CURRENT.get(); inner != null && inner != this; inner = inner.parent) {
            failure = closeQuietly(inner::closeMembers, failure);
        }
        failure = closeQuietly(this::closeMembers, failure);
        CURRENT.set(parent);
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException closeQuietly(Runnable close, RuntimeException failure) {
        try {
            close.run();
        } catch (RuntimeException e) {
            if (failure == null) {
                return e;
            }
            failure.addSuppressed(e);
        }
        return failure;
    }

    private void closeMembers() {
        closed = true;
        RuntimeException failure = null;
        while (members.previous != members) {
            ScopeLink newest = members.previous;
            remove(newest);
            try {
                newest.resource().close();
            } catch (Exception e) {
                RuntimeException wrapped = e instanceof RuntimeException r ? r
                        : new IllegalStateException("closing " + newest.resource() + " failed", e);
                if (failure == null) {
                    failure = wrapped;
                } else {
                    failure.addSuppressed(wrapped);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    void append(ScopeLink link) {
        if (closed) {
            throw new IllegalStateException("this scope is closed: it cannot take resources any more");
        }
        ScopeLink last = members.previous;
        link.previous = last;
        link.next = members;
        last.next = link;
        members.previous = link;
        link.scope = this;
        size++;
    }

    void remove(ScopeLink link) {
        link.previous.next = link.next;
        link.next.previous = link.previous;
        link.previous = null;
        link.next = null;
        link.scope = null;
        size--;
    }

    boolean isOwnerThread() {
        return Thread.currentThread() == owner;
    }

    void checkOwnerThread() {
        if (!isOwnerThread()) {
            throw new IllegalStateException("a scope belongs to the thread that opened it (" + owner
                    + "); keep, detach and close it there, or open a scope on " + Thread.currentThread());
        }
    }

    private void checkUsable(String what) {
        checkOwnerThread();
        if (closed) {
            throw new IllegalStateException("cannot " + what + " through a closed scope");
        }
    }

    @Override
    public String toString() {
        return "Scope[" + size + " resources" + (closed ? ", closed" : "") + ", thread " + owner.getName() + "]";
    }
}
