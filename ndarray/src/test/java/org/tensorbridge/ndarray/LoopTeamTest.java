package org.tensorbridge.ndarray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The loop threads: every part runs once, parts run side by side, failures reach the caller, a busy team
 * never blocks another caller, and idle workers park instead of spinning on.
 */
class LoopTeamTest {
    private final LoopTeam team = new LoopTeam(3);

    @AfterEach
    void retire() {
        team.retire();
    }

    @Test
    void everyPartRunsExactlyOnce() {
        for (int round = 0; round < 200; round++) {
            int parts = 1 + round % 9;
            AtomicIntegerArray runs = new AtomicIntegerArray(parts);
            team.run(parts, (p, ps) -> {
                assertEquals(parts, ps);
                runs.incrementAndGet(p);
            });
            for (int p = 0; p < parts; p++) {
                assertEquals(1, runs.get(p), "part " + p + " of " + parts + " in round " + round);
            }
        }
    }

    @Test
    void aWorkerTakesAPartWhileTheCallerRunsAnother() throws InterruptedException {
        Thread.sleep(LoopTeam.SPIN_NANOS / 1_000_000 + 50);  // the workers are parked: the job must wake one
        CountDownLatch bothRunning = new CountDownLatch(2);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        team.run(2, (p, ps) -> {
            threads.add(Thread.currentThread().getName());
            bothRunning.countDown();
            try {
                assertTrue(bothRunning.await(10, TimeUnit.SECONDS), "the two parts ran side by side");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(2, threads.size(), threads.toString());
        // usually the caller and one worker; two workers when both claimed a part before the caller got to it
        assertTrue(threads.stream().anyMatch(name -> name.startsWith("tensorbridge-loop-")), threads.toString());
    }

    @Test
    void aFailingPartReachesTheCallerAndTheTeamGoesOn() {
        IllegalArgumentException boom = new IllegalArgumentException("part 3 failed");
        AtomicIntegerArray runs = new AtomicIntegerArray(6);
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> team.run(6, (p, ps) -> {
            runs.incrementAndGet(p);
            if (p == 3) {
                throw boom;
            }
        }));
        assertSame(boom, thrown);
        for (int p = 0; p < 6; p++) {
            assertEquals(1, runs.get(p), "the other parts still ran: part " + p);
        }
        AtomicIntegerArray after = new AtomicIntegerArray(4);
        team.run(4, (p, ps) -> after.incrementAndGet(p));
        for (int p = 0; p < 4; p++) {
            assertEquals(1, after.get(p));
        }
    }

    @Test
    void aCallerThatFindsTheTeamBusyRunsItsPartsAlone() throws Exception {
        CountDownLatch firstJobRunning = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread first = Thread.ofPlatform().start(() -> team.run(2, (p, ps) -> {
            firstJobRunning.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }));
        try {
            assertTrue(firstJobRunning.await(10, TimeUnit.SECONDS));
            Set<String> threads = ConcurrentHashMap.newKeySet();
            team.run(4, (p, ps) -> threads.add(Thread.currentThread().getName()));
            assertEquals(Set.of(Thread.currentThread().getName()), threads, "no wait for the busy team");
        } finally {
            release.countDown();
            first.join(10_000);
        }
    }

    @Test
    void aPartThatSplitsAgainRunsItsInnerPartsItself() {
        AtomicIntegerArray inner = new AtomicIntegerArray(3 * 4);
        team.run(3, (p, ps) -> {
            String me = Thread.currentThread().getName();
            team.run(4, (q, qs) -> {
                assertEquals(me, Thread.currentThread().getName());
                inner.incrementAndGet(p * 4 + q);
            });
        });
        for (int i = 0; i < inner.length(); i++) {
            assertEquals(1, inner.get(i));
        }
    }

    @Test
    void idleWorkersPark() throws InterruptedException {
        team.run(2, (p, ps) -> { });
        // a spinning worker stays RUNNABLE; a parked one is WAITING. A loaded machine may run it late: poll
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<String> spinning;
        do {
            Thread.sleep(LoopTeam.SPIN_NANOS / 1_000_000 + 20);
            spinning = team.workers().stream().filter(t -> t.getState() == Thread.State.RUNNABLE)
                    .map(Thread::getName).toList();
        } while (!spinning.isEmpty() && System.nanoTime() < deadline);
        assertEquals(List.of(), spinning, "loop threads still run 10 s after the spin time");
    }

    @Test
    void aRetiredTeamsWorkersEnd() throws InterruptedException {
        LoopTeam other = new LoopTeam(4);
        other.run(3, (p, ps) -> { });
        other.retire();
        for (Thread worker : other.workers()) {
            worker.join(10_000);
            assertEquals(false, worker.isAlive(), worker.getName());
        }
        AtomicIntegerArray runs = new AtomicIntegerArray(3);
        other.run(3, (p, ps) -> runs.incrementAndGet(p));  // a caller still holding it runs the parts alone
        for (int p = 0; p < 3; p++) {
            assertEquals(1, runs.get(p));
        }
    }
}
