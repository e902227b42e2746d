package org.tensorbridge.data;

import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.DeviceType;
import org.tensorbridge.torch.Torch;

/**
 * Batches from a {@link Dataset}, an order of magnitude faster than PyTorch's DataLoader:
 * <pre>{@code
 * try (DataLoader loader = DataLoader.builder(dataset).batchSize(256).shuffle(seed).workers(2)
 *         .device(Device.best()).build()) {
 *     for (long epoch = 0; epoch < epochs; epoch++) {
 *         for (Batch batch : loader.epoch(epoch)) {
 *             try (Scope step = Scope.open()) { ... batch.get("x") ... }   // or let an enclosing scope close it
 *         }
 *     }
 * }
 * }</pre>
 * Two ways to make batches ({@link Mode}):
 * <ul>
 *   <li><b>STREAM</b>: worker threads (platform threads) write samples straight into the disjoint rows of
 *       batch buffers allocated once and reused — pinned when the device is CUDA — with no object per sample;
 *       a batch goes to the device on a copy stream of its own, and its buffer is refilled only after the event
 *       behind that copy has completed. On the CPU the batch's tensors share the buffer, which goes back to the
 *       workers when the batch is closed (close batches, or a Scope per step: open batches keep their
 *       buffers, as PyTorch's batches keep their memory).</li>
 *   <li><b>RESIDENT</b>: the whole dataset is put on the device once (shared without a copy on the CPU) and
 *       each batch is gathered there from the shuffled order ({@code index_select}): the fastest way when it
 *       fits. {@link Mode#AUTO} picks it for in-memory arrays that fit, STREAM otherwise.</li>
 * </ul>
 * The order comes from a {@link Sampler} alone, so the same seed gives the same batches whatever the number
 * of workers. A sample that fails reaches the consumer as a {@link DataLoaderException} naming the sample;
 * {@link Epoch#close()}, {@link #close()} or an interrupt stops every worker promptly.
 */
public final class DataLoader implements AutoCloseable {
    /** How batches are made; see the class documentation. */
    public enum Mode { AUTO, STREAM, RESIDENT }

    private final Dataset dataset;
    private final int batchSize;
    private final Sampler sampler;
    private final boolean dropLast;
    private final int workers;
    private final int prefetch;
    private final Device device;
    private final Mode mode;
    private final Consumer<Progress> progress;
    private final ExecutorService pool;
    private Epoch current;
    private BatchPool buffers;
    private ResidentData resident;
    private boolean closed;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.sampler = b.sampler != null ? b.sampler : Sampler.sequential(dataset.size());
        this.dropLast = b.dropLast;
        this.workers = b.workers;
        this.prefetch = b.prefetch;
        this.device = b.device;
        this.mode = resolve(b.mode, dataset, device);
        this.progress = b.progress;
        this.pool = workers == 0 ? null : Executors.newFixedThreadPool(workers, daemonThreads());
    }

    public static Builder builder(Dataset dataset) {
        return new Builder(dataset);
    }

    /** The options of a loader; {@link #build()} makes it. */
    public static final class Builder {
        private final Dataset dataset;
        private int batchSize = 1;
        private Sampler sampler;
        private boolean dropLast;
        private int workers;
        private int prefetch = 2;
        private Device device = Device.CPU;
        private Mode mode = Mode.AUTO;
        private Consumer<Progress> progress;

        private Builder(Dataset dataset) {
            this.dataset = Objects.requireNonNull(dataset, "dataset");
        }

        public Builder batchSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("batch size must be at least 1, not " + size);
            }
            this.batchSize = size;
            return this;
        }

        /** A new permutation each epoch, from {@code seed} and the epoch number ({@link Sampler#shuffled}). */
        public Builder shuffle(long seed) {
            return sampler(Sampler.shuffled(dataset.size(), seed));
        }

        public Builder sampler(Sampler sampler) {
            this.sampler = Objects.requireNonNull(sampler, "sampler");
            return this;
        }

        /** Drop the last batch of an epoch when it is smaller than the batch size. */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** Worker threads (0: the consuming thread assembles each batch itself). */
        public Builder workers(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("workers must be 0 or more, not " + count);
            }
            this.workers = count;
            return this;
        }

        /** Batches assembled ahead of the consumer (STREAM mode). */
        public Builder prefetch(int batches) {
            if (batches < 1) {
                throw new IllegalArgumentException("prefetch must be at least 1, not " + batches);
            }
            this.prefetch = batches;
            return this;
        }

        /** Where batches are handed out: the CPU (default) or a CUDA device. */
        public Builder device(Device device) {
            this.device = Objects.requireNonNull(device, "device");
            return this;
        }

        public Builder mode(Mode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Called on the consuming thread after each batch is handed out. */
        public Builder onProgress(Consumer<Progress> listener) {
            this.progress = listener;
            return this;
        }

        public DataLoader build() {
            if (dataset.size() == 0) {
                throw new IllegalArgumentException("the dataset is empty: nothing to load");
            }
            return new DataLoader(this);
        }
    }

    private static Mode resolve(Mode asked, Dataset dataset, Device device) {
        if (asked == Mode.RESIDENT && !(dataset instanceof ArrayDataset)) {
            throw new IllegalArgumentException("RESIDENT mode keeps a dataset of arrays whole on the device; this dataset ("
                    + dataset.getClass().getSimpleName() + ") computes its samples: use Mode.STREAM");
        }
        if (asked != Mode.AUTO) {
            return asked;
        }
        if (!(dataset instanceof ArrayDataset)) {
            return Mode.STREAM;
        }
        if (device.type() != DeviceType.CUDA) {
            return Mode.RESIDENT;
        }
        long bytes = 0;
        for (Field field : dataset.fields()) {
            bytes += field.bytes() * dataset.size();
        }
        long free = Torch.cudaDevices().stream().filter(d -> d.index() == Math.max(device.index(), 0))
                .mapToLong(Torch.CudaDeviceInfo::freeMemory).findFirst().orElse(0);
        return bytes < free / 2 ? Mode.RESIDENT : Mode.STREAM;
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "tensorbridge-loader-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The mode this loader runs in (AUTO resolved). */
    public Mode mode() {
        return mode;
    }

    /** Batches per epoch. */
    public long size() {
        long samples = sampler.indices(0).length;
        return dropLast ? samples / batchSize : (samples + batchSize - 1) / batchSize;
    }

    /**
     * The batches of epoch {@code number} (it seeds the sampler). Starting an epoch stops the previous one
     * if it is still running; close it (try-with-resources) to stop early.
     */
    public synchronized Epoch epoch(long number) {
        if (closed) {
            throw new IllegalStateException("the loader was closed");
        }
        if (current != null) {
            current.close();
        }
        long[] order = sampler.indices(number);
        long batches = dropLast ? order.length / batchSize : (order.length + batchSize - 1L) / batchSize;
        current = switch (mode) {
            case RESIDENT -> {
                if (resident == null) {
                    resident = new ResidentData((ArrayDataset) dataset, device);
                }
                yield new ResidentEpoch(resident, dataset.fields(), order, batchSize, batches, number, progress);
            }
            default -> {
                if (buffers == null) {
                    buffers = new BatchPool(dataset.fields(), batchSize, device);
                }
                yield new StreamEpoch(dataset, buffers, pool, workers, prefetch, order, batchSize, batches, number, progress);
            }
        };
        return current;
    }

    /** Stops the running epoch and its workers, and frees the batch buffers (after their last batch closed). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (current != null) {
            current.close();
        }
        if (pool != null) {
            pool.shutdownNow();
        }
        if (buffers != null) {
            buffers.close();
        }
        if (resident != null) {
            resident.close();
        }
    }

    /** One pass over the data: iterate it once; close it to stop early. */
    public interface Epoch extends Iterable<Batch>, AutoCloseable {
        @Override
        void close();

        /** Batches in this epoch. */
        long size();
    }

    List<Field> fields() {
        return dataset.fields();
    }

    // What both epoch kinds share: a single-use iterator over batch numbers, and handing tensors to the consumer.
    abstract static class EpochBase implements Epoch, Iterator<Batch> {
        final long batches;
        private long next;
        private boolean iterated;

        EpochBase(long batches) {
            this.batches = batches;
        }

        @Override
        public Iterator<Batch> iterator() {
            if (iterated) {
                throw new IllegalStateException("an epoch is iterated once; ask the loader for the next epoch");
            }
            iterated = true;
            return this;
        }

        @Override
        public long size() {
            return batches;
        }

        @Override
        public boolean hasNext() {
            return next < batches;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException("the epoch has " + batches + " batches");
            }
            return batch(next++);
        }

        abstract Batch batch(long k);

        /** Makes independent batch tensors belong to the consumer's scope (if it had one open). */
        static void handTo(org.tensorbridge.core.Scope consumer, org.tensorbridge.torch.Tensor[] tensors) {
            if (consumer != null) {
                for (org.tensorbridge.torch.Tensor tensor : tensors) {
                    consumer.attach(tensor);
                }
            }
        }
    }
}
