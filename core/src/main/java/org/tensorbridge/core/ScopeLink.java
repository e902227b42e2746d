package org.tensorbridge.core;

/**
 * A resource's membership in a {@link Scope}: a node of the scope's intrusive list, so that joining,
 * leaving and moving cost O(1) and no allocation beyond this node. Only the scope's own thread changes the
 * list; a resource closed on another thread stays listed and the scope skips it (closing is idempotent).
 */
public final class ScopeLink {
    private final AutoCloseable resource;
    Scope scope;
    ScopeLink previous;
    ScopeLink next;

    ScopeLink(AutoCloseable resource) {
        this.resource = resource;
    }

    /**
     * A link for a new resource, joined to the innermost scope open on this thread; with no scope open the
     * resource is independent (closed by its owner, or else by the GC's safety net).
     */
    public static ScopeLink join(AutoCloseable resource) {
        ScopeLink link = new ScopeLink(resource);
        Scope scope = Scope.current();
        if (scope != null) {
            scope.append(link);
        }
        return link;
    }

    /** Leaves the scope, if any: called when the resource is closed by other means than its scope. */
    public void leave() {
        Scope s = scope;
        if (s != null && s.isOwnerThread()) {
            s.remove(this);
        }
    }

    /** The scope that owns the resource now, or null when it is independent. */
    public Scope scope() {
        return scope;
    }

    /**
     * If the resource belongs to {@code from} (null: if it is independent), moves it to {@code to} (null:
     * makes it independent).
     */
    public void move(Scope from, Scope to) {
        if (scope == from && from != to) {
            moveTo(to);
        }
    }

    /** Moves the resource to {@code to} wherever it is now (null: independent). Scope threads only. */
    public void moveTo(Scope to) {
        Scope s = scope;
        if (s != null) {
            s.checkOwnerThread();
            s.remove(this);
        }
        if (to != null) {
            to.checkOwnerThread();
            to.append(this);
        }
    }

    AutoCloseable resource() {
        return resource;
    }
}
