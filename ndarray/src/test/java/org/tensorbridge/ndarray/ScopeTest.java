package org.tensorbridge.ndarray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;

/** Scopes own the arrays created inside them: nesting, escapes, exceptions, views, threads. */
class ScopeTest {

    @Test
    void aScopeClosesWhatWasCreatedInsideAndNothingElse() {
        try (NDArray outside = NDArray.ones(DType.FLOAT32, 4)) {
            List<NDArray> made = new ArrayList<>();
            try (Scope scope = Scope.open()) {
                NDArray y = outside.mul(2.0).add(1.0).sqrt();  // two unnamed temporaries, one result
                made.add(y);
                made.add(outside.transpose());
                assertEquals(4, scope.size());
                assertEquals(Math.sqrt(3), y.getDouble(0), 1e-6);
            }
            assertTrue(made.stream().allMatch(NDArray::isClosed));
            assertFalse(outside.isClosed(), "an array from outside the scope stays open");
            assertEquals(1, outside.buffer().refCount(), "the view's count went back");
        }
    }

    @Test
    void keepHandsAResultToTheEnclosingScopeAndDetachMakesItIndependent() {
        NDArray kept;
        NDArray detached;
        try (Scope outer = Scope.open()) {
            try (Scope inner = Scope.open()) {
                assertSame(outer, inner.parent());
                kept = inner.keep(NDArray.zeros(DType.INT32, 3).add(5L));
                detached = inner.detach(NDArray.ones(DType.INT8, 2));
                assertEquals(1, inner.size(), "the kept and the detached left; the temporary remains");
            }
            assertFalse(kept.isClosed());
            assertFalse(detached.isClosed());
            assertEquals(5, kept.getLong(2));
            assertSame(outer, Scope.current());
        }
        assertTrue(kept.isClosed(), "the enclosing scope closed the kept result");
        assertFalse(detached.isClosed(), "a detached array is its owner's to close");
        assertNull(Scope.current());
        detached.close();
    }

    @Test
    void computeRunsABodyInItsOwnScopeAndKeepsItsResult() {
        try (Scope scope = Scope.open()) {
            NDArray result = Scope.compute(() -> NDArray.full(DType.FLOAT64, 3, 5).mul(2.0).sum());
            assertEquals(30.0, result.item());
            assertEquals(1, scope.size(), "only the result reached the enclosing scope");
        }
        NDArray independent = Scope.compute(() -> NDArray.ones(DType.FLOAT64, 2).add(1.0));
        assertFalse(independent.isClosed(), "with no enclosing scope the result is independent");
        independent.close();
    }

    @Test
    void anExceptionMidScopeStillFreesEverything() {
        List<NDArray> made = new ArrayList<>();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            try (Scope scope = Scope.open()) {
                NDArray a = NDArray.ones(DType.FLOAT32, 2, 3);
                made.add(a);
                made.add(a.transpose());
                a.add(NDArray.ones(DType.FLOAT32, 4));  // shapes do not broadcast
            }
        });
        assertTrue(e.getMessage().contains("broadcast"), e.getMessage());
        assertTrue(made.stream().allMatch(NDArray::isClosed));
        assertNull(Scope.current());
    }

    @Test
    void closingAnOuterScopeClosesTheScopesStillOpenInsideIt() {
        Scope outer = Scope.open();
        NDArray a = NDArray.zeros(DType.FLOAT32, 1);
        Scope inner = Scope.open();
        NDArray b = NDArray.zeros(DType.FLOAT32, 1);
        outer.close();
        assertTrue(a.isClosed() && b.isClosed() && inner.isClosed());
        assertNull(Scope.current());
        inner.close();  // idempotent
    }

    @Test
    void viewsOfScopedArraysKeptOutliveTheirBase() {
        NDArray row;
        try (Scope scope = Scope.open()) {
            NDArray grid = NDArrays.arange(0.0, 12.0, 1.0, DType.FLOAT64).reshape(3, 4);
            row = scope.keep(grid.select(0, 1));
        }
        assertFalse(row.isClosed());
        assertEquals(7.0, row.getDouble(3), "the view keeps the memory alive after its base was closed");
        row.close();
        assertTrue(row.isClosed());
    }

    @Test
    void explicitCloseInsideAScopeIsIdempotentAndLeavesTheScope() {
        try (Scope scope = Scope.open()) {
            NDArray a = NDArray.zeros(DType.FLOAT32, 8);
            assertEquals(1, scope.size());
            a.close();
            assertEquals(0, scope.size(), "closed arrays leave their scope: long loops do not grow it");
            a.close();
        }
    }

    @Test
    void aScopeBelongsToItsThread() throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        try (Scope scope = Scope.open()) {
            NDArray mine = NDArray.zeros(DType.FLOAT32, 2);
            NDArray theirs = other.submit(() -> NDArray.zeros(DType.FLOAT32, 2)).get();
            assertEquals(1, scope.size(), "an array made on another thread does not join this thread's scope");
            ExecutionException e = assertThrows(ExecutionException.class, () -> other.submit(scope::close).get());
            assertTrue(e.getCause() instanceof IllegalStateException, e.toString());
            assertTrue(e.getCause().getMessage().contains("thread that opened it"), e.getCause().getMessage());
            other.submit(mine::close).get();  // closing a resource on another thread is fine
            assertTrue(mine.isClosed());
            theirs.close();
        } finally {
            other.shutdown();
        }
    }
}
