package org.tensorbridge.data;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.tensorbridge.bridge.DeviceCopies;
import org.tensorbridge.bridge.PinnedMemory;
import org.tensorbridge.core.Scope;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.torch.CudaStream;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.DeviceType;

/**
 * The batch buffers of a streaming loader: allocated once and reused, each one C-contiguous array of shape
 * {@code [batchSize, field shape...]} per field, in pinned memory when batches go to CUDA. A buffer is busy
 * while its batch is being assembled, while a CPU batch over it is open, and until the event behind its
 * uploads has completed (checked by whoever takes it next, before writing). There are as many buffers as
 * were ever busy at once: the prefetch depth plus the batches a consumer keeps open.
 */
final class BatchPool implements AutoCloseable {
    final List<Field> fields;
    final int batchSize;
    final boolean cuda;
    final Device device;
    private CudaStream copyStream;
    private final ArrayDeque<Buffer> free = new ArrayDeque<>();
    private final List<Buffer> all = new ArrayList<>();
    private boolean closed;

    BatchPool(List<Field> fields, int batchSize, Device device) {
        this.fields = fields;
        this.batchSize = batchSize;
        this.device = device;
        this.cuda = device.type() == DeviceType.CUDA;
    }

    /** One batch's memory: an array per field. */
    final class Buffer {
        final NDArray[] arrays = new NDArray[fields.size()];
        final MemorySegment[] segments = new MemorySegment[fields.size()];
        private DeviceCopies.Transfer[] uploads;

        /** Waits until the uploads that read this buffer last have read it; then it may be written again. */
        void awaitUploads() {
            DeviceCopies.Transfer[] pending;
            synchronized (this) {
                pending = uploads;
                uploads = null;
            }
            if (pending != null) {
                for (DeviceCopies.Transfer transfer : pending) {
                    if (transfer != null) {
                        transfer.close();  // waits for the copy's event, then drops the transfer's own handles
                    }
                }
            }
        }

        synchronized void uploading(DeviceCopies.Transfer[] transfers) {
            uploads = transfers;
        }
    }

    synchronized CudaStream copyStream() {
        if (copyStream == null) {
            copyStream = CudaStream.create(Math.max(device.index(), 0));
        }
        return copyStream;
    }

    /** A free buffer, or a new one; the caller writes into it only after {@link Buffer#awaitUploads()}. */
    Buffer acquire() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the loader was closed");
            }
            Buffer reused = free.pollFirst();
            if (reused != null) {
                return reused;
            }
        }
        Buffer buffer = new Buffer();
        try (Scope scope = Scope.open()) {  // the pool owns its arrays, not the scope of the thread that asks
            for (int f = 0; f < fields.size(); f++) {
                Field field = fields.get(f);
                long[] shape = new long[field.shape().length + 1];
                shape[0] = batchSize;
                System.arraycopy(field.shape(), 0, shape, 1, field.shape().length);
                NDArray array = cuda ? PinnedMemory.allocate(field.dtype(), shape) : NDArray.zeros(field.dtype(), shape);
                buffer.arrays[f] = scope.detach(array);
                buffer.segments[f] = array.segment();
            }
        } catch (RuntimeException | Error e) {
            close(buffer);
            throw e;
        }
        synchronized (this) {
            all.add(buffer);
        }
        return buffer;
    }

    synchronized void release(Buffer buffer) {
        if (closed) {
            close(buffer);
        } else {
            free.addFirst(buffer);  // the most recently used first: its pages are warm
        }
    }

    /** Frees the buffers not in use now; those still held by open batches go when those close. */
    @Override
    public void close() {
        List<Buffer> idle;
        synchronized (this) {
            closed = true;
            idle = new ArrayList<>(free);
            free.clear();
        }
        for (Buffer buffer : idle) {
            close(buffer);
        }
        synchronized (this) {
            if (copyStream != null) {
                copyStream.close();
            }
        }
    }

    private static void close(Buffer buffer) {
        buffer.awaitUploads();
        for (NDArray array : buffer.arrays) {
            if (array != null) {
                array.close();
            }
        }
    }
}
