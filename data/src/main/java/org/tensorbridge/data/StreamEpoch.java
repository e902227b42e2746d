package org.tensorbridge.data;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.tensorbridge.bridge.Bridge;
import org.tensorbridge.bridge.DeviceCopies;
import org.tensorbridge.core.Scope;
import org.tensorbridge.torch.Tensor;

/**
 * An epoch of a streaming loader. Batch k's rows are cut into one chunk per worker; workers take chunks in
 * batch order from one counter, so batches complete roughly in order and every worker writes disjoint rows.
 * At most {@code window} batches are in flight (assembled but not yet taken): the first chunk of a batch
 * takes a buffer from the pool (waiting for that buffer's last uploads), the others wait for it.
 */
final class StreamEpoch extends DataLoader.EpochBase {
    private static final System.Logger LOG = System.getLogger(StreamEpoch.class.getName());

    private final Dataset dataset;
    private final BatchPool pool;
    private final long[] order;
    private final int batchSize;
    private final long epoch;
    private final Consumer<Progress> progress;
    private final int workers;
    private final int window;
    private final int chunks;
    private final int chunkRows;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final BatchPool.Buffer[] buffers;  // per window position: the buffer of the batch being assembled
    private final long[] bufferFor;            // ... which batch that buffer is for (-1: none yet)
    private final int[] remaining;             // ... chunks of that batch still being written
    private final long[] completed;            // ... the last batch whose rows are all written
    private final AtomicLong nextTask = new AtomicLong();
    private final Set<Thread> working = ConcurrentHashMap.newKeySet();
    private final CountDownLatch exited;
    private final long startNanos = System.nanoTime();
    private long taken;                        // batches handed to the consumer
    private volatile boolean stopped;
    private DataLoaderException failure;
    private long samples;
    private long waitedNanos;

    StreamEpoch(Dataset dataset, BatchPool pool, ExecutorService threads, int workers, int prefetch, long[] order,
                int batchSize, long batches, long epoch, Consumer<Progress> progress) {
        super(batches);
        this.dataset = dataset;
        this.pool = pool;
        this.order = order;
        this.batchSize = batchSize;
        this.epoch = epoch;
        this.progress = progress;
        this.workers = workers;
        this.window = prefetch + 1;
        this.chunks = Math.max(1, Math.min(workers, batchSize));
        this.chunkRows = (batchSize + chunks - 1) / chunks;
        this.buffers = new BatchPool.Buffer[window];
        this.bufferFor = new long[window];
        this.remaining = new int[window];
        this.completed = new long[window];
        java.util.Arrays.fill(bufferFor, -1);
        java.util.Arrays.fill(remaining, chunks);
        java.util.Arrays.fill(completed, -1);
        this.exited = new CountDownLatch(workers);
        for (int w = 0; w < workers; w++) {
            threads.execute(() -> {
                Thread.interrupted();  // a pool thread may carry an interrupt meant for its previous task
                working.add(Thread.currentThread());
                try {
                    work();
                } finally {
                    working.remove(Thread.currentThread());
                    exited.countDown();
                }
            });
        }
    }

    private int rows(long k) {
        return (int) Math.min(batchSize, order.length - k * batchSize);
    }

    // A worker: chunks in batch order until the epoch ends, fails or is stopped.
    private void work() {
        long task;
        while (!stopped && (task = nextTask.getAndIncrement()) < batches * chunks) {
            long k = task / chunks;
            int chunk = (int) (task % chunks);
            try {
                BatchPool.Buffer buffer = bufferFor(k, chunk);
                if (buffer == null) {
                    return;
                }
                fill(buffer, k, chunk);
                chunkDone(k);
            } catch (InterruptedException e) {
                return;  // stopped
            } catch (DataLoaderException e) {
                fail(e);
                return;
            } catch (RuntimeException | Error e) {
                fail(new DataLoaderException("loading batch " + k + " of epoch " + epoch + " failed: " + e, e));
                return;
            }
        }
    }

    // Waits until batch k is inside the window; chunk 0 brings its buffer, the others wait for it. Null: stopped.
    private BatchPool.Buffer bufferFor(long k, int chunk) throws InterruptedException {
        int at = (int) (k % window);
        lock.lock();
        try {
            while (!stopped && (k >= taken + window || (chunk != 0 && bufferFor[at] != k))) {
                changed.await();
            }
            if (stopped) {
                return null;
            }
            if (chunk != 0) {
                return buffers[at];
            }
        } finally {
            lock.unlock();
        }
        BatchPool.Buffer buffer = pool.acquire();
        buffer.awaitUploads();  // the copies that read it last must be done before anything is written
        lock.lock();
        try {
            buffers[at] = buffer;
            bufferFor[at] = k;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return buffer;
    }

    private void fill(BatchPool.Buffer buffer, long k, int chunk) {
        int rows = rows(k);
        int from = chunk * chunkRows;
        int to = Math.min(rows, from + chunkRows);
        Cursor cursor = new Cursor(buffer.segments);
        for (int r = from; r < to && !stopped; r++) {
            long index = order[(int) (k * batchSize + r)];
            cursor.row = r;
            try {
                dataset.read(index, cursor);
            } catch (Exception e) {
                throw new DataLoaderException("sample " + index + " (row " + r + " of batch " + k + ", epoch " + epoch
                        + ") could not be read: " + e.getMessage(), e);
            }
        }
    }

    private final class Cursor implements Dataset.Rows {
        private final MemorySegment[] segments;
        int row;

        Cursor(MemorySegment[] segments) {
            this.segments = segments;
        }

        @Override
        public MemorySegment field(int f) {
            return segments[f];
        }

        @Override
        public long offset(int f) {
            return row * pool.fields.get(f).bytes();
        }

        @Override
        public long epoch() {
            return epoch;
        }
    }

    private void chunkDone(long k) {
        int at = (int) (k % window);
        lock.lock();
        try {
            if (--remaining[at] == 0) {
                completed[at] = k;
                remaining[at] = chunks;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private void fail(DataLoaderException e) {
        lock.lock();
        try {
            if (failure == null) {
                failure = e;
            }
            stopped = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // The consumer: waits for batch k (assembling it itself without workers), then hands it out.
    @Override
    Batch batch(long k) {
        BatchPool.Buffer buffer;
        if (workers == 0) {
            buffer = pool.acquire();
            buffer.awaitUploads();
            try {
                for (int chunk = 0; chunk < chunks; chunk++) {
                    fill(buffer, k, chunk);
                }
            } catch (RuntimeException e) {
                pool.release(buffer);
                throw e;
            }
        } else {
            buffer = awaitCompleted(k);
        }
        Batch batch = hand(buffer, k);
        samples += batch.size();
        if (progress != null) {
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            progress.accept(new Progress(epoch, k, batches, samples, samples / Math.max(seconds, 1e-9), queued(),
                    waitedNanos / 1e9));
        }
        return batch;
    }

    private BatchPool.Buffer awaitCompleted(long k) {
        int at = (int) (k % window);
        long start = System.nanoTime();
        lock.lock();
        try {
            while (failure == null && !stopped && completed[at] != k) {
                changed.await();
            }
            if (failure != null) {
                throw failure;
            }
            if (completed[at] != k) {
                throw new DataLoaderException("the epoch was closed while batch " + k + " was awaited", null);
            }
            BatchPool.Buffer buffer = buffers[at];
            buffers[at] = null;
            bufferFor[at] = -1;
            taken = k + 1;  // opens the window for batch k + window
            changed.signalAll();
            return buffer;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lock.unlock();
            close();
            lock.lock();
            throw new DataLoaderException("interrupted while waiting for batch " + k + "; the epoch was stopped", e);
        } finally {
            lock.unlock();
            waitedNanos += System.nanoTime() - start;
        }
    }

    private int queued() {
        lock.lock();
        try {
            int count = 0;
            for (long done : completed) {
                if (done >= taken) {
                    count++;
                }
            }
            return count;
        } finally {
            lock.unlock();
        }
    }

    // Tensors over the buffer's filled rows (CPU), or uploads of them on the copy stream (CUDA).
    private Batch hand(BatchPool.Buffer buffer, long k) {
        int rows = rows(k);
        List<Field> fields = pool.fields;
        Tensor[] tensors = new Tensor[fields.size()];
        Scope consumer = Scope.current();
        try (Scope scope = Scope.open()) {
            if (pool.cuda) {
                DeviceCopies.Transfer[] uploads = new DeviceCopies.Transfer[fields.size()];
                try {
                    for (int f = 0; f < fields.size(); f++) {
                        uploads[f] = scope.detach(DeviceCopies.toDevice(buffer.arrays[f].slice(0, 0, rows, 1),
                                pool.device, pool.copyStream()));
                        tensors[f] = scope.detach(uploads[f].takeTensor());
                    }
                } finally {
                    buffer.uploading(uploads);  // whoever takes the buffer next waits for these copies first
                    pool.release(buffer);
                }
            } else {
                try {
                    for (int f = 0; f < fields.size(); f++) {
                        tensors[f] = scope.detach(Bridge.fromArray(buffer.arrays[f].slice(0, 0, rows, 1)));
                    }
                } catch (RuntimeException | Error e) {
                    pool.release(buffer);
                    throw e;
                }
            }
        } catch (RuntimeException | Error e) {
            for (Tensor tensor : tensors) {
                if (tensor != null) {
                    tensor.close();
                }
            }
            throw e;
        }
        handTo(consumer, tensors);
        return new Batch(fields, tensors, rows, k, pool.cuda ? () -> { } : () -> pool.release(buffer));
    }

    /** Stops the workers (interrupting a sample in progress), waits for them, and returns unfinished buffers. */
    @Override
    public void close() {
        lock.lock();
        try {
            stopped = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (Thread worker : working) {
            worker.interrupt();  // a read in progress (a blocking dataset) stops too
        }
        try {
            if (!exited.await(10, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "a loader worker did not stop within 10 s of being interrupted:"
                        + " the dataset's read() ignores interrupts; its batch buffer is left to it");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        lock.lock();
        try {
            for (int at = 0; at < window; at++) {
                if (buffers[at] != null) {
                    pool.release(buffers[at]);
                    buffers[at] = null;
                    bufferFor[at] = -1;
                }
            }
        } finally {
            lock.unlock();
        }
    }
}
