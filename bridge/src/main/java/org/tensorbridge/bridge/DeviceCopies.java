package org.tensorbridge.bridge;

import org.tensorbridge.core.Scope;
import org.tensorbridge.core.ScopeLink;
import org.tensorbridge.core.Scoped;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.torch.CudaEvent;
import org.tensorbridge.torch.CudaStream;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.Tensor;

/**
 * Asynchronous copies between host arrays and CUDA, ordered by a stream, with PyTorch's stream rules built
 * in. The results cannot be misused before the copy is complete: a device tensor reaches the caller's
 * current stream only after that stream waits for the copy, and the caching allocator is told which streams
 * use it (record-stream), so no block is reused under a running kernel; the host buffer of an upload stays
 * reserved until {@link Transfer#awaitHostReusable()}; a download waits for the work that produced its
 * tensor and hands out its array only from {@link PendingArray#await()} — the classic {@code non_blocking}
 * D2H bug cannot happen. The stream must be on the tensor's device (checked).
 */
public final class DeviceCopies {
    private DeviceCopies() {
    }

    /**
     * Starts copying {@code host} (pinned for a truly asynchronous copy; pageable works, synchronously) to
     * {@code device} on {@code stream}. Work queued later on {@code stream} sees the data; for other
     * streams, wait for {@link Transfer#copied()}.
     */
    public static Transfer toDevice(NDArray host, Device device, CudaStream stream) {
        requireSameDevice(device, stream);
        Tensor shared = null;
        Tensor onDevice = null;
        CudaEvent copied = null;
        try (Scope own = Scope.open(); CudaStream.Scope current = stream.makeCurrent()) {
            shared = own.detach(Bridge.fromArray(host));  // the transfer owns its tensors, not the caller's scope
            onDevice = own.detach(shared.to(device, true));
            copied = CudaEvent.create().record(stream);
        } catch (RuntimeException e) {
            if (onDevice != null && copied == null) {
                stream.synchronize();  // the copy is queued and reads `host`: let it finish before letting go
            }
            closeAll(copied, onDevice, shared);
            throw e;
        }
        // made after `own` closed: a new transfer joins the innermost open scope, which must be the caller's
        // (made inside, it joined `own` and was closed on return, tensor and event with it)
        return new Transfer(onDevice, copied, shared, stream);
    }

    private static void requireSameDevice(Device device, CudaStream stream) {
        if (device.type() != org.tensorbridge.torch.DeviceType.CUDA) {
            throw new IllegalArgumentException("asynchronous copies go to or from a CUDA device, not " + device);
        }
        int index = Math.max(device.index(), 0);
        if (stream.deviceIndex() != index) {
            throw new IllegalArgumentException("the tensor is on cuda:" + index + " but the stream on cuda:"
                    + stream.deviceIndex() + ": copies run on the current stream of the tensor's device, so use a"
                    + " stream of that device, e.g. CudaStream.create(" + index + ")");
        }
    }

    /** An upload in flight: the device tensor, and the event that marks the end of the copy. */
    public static final class Transfer implements Scoped {
        private final Tensor tensor;
        private final CudaEvent copied;
        private final CudaStream copyStream;
        private final ScopeLink scopeLink;
        private Tensor hostView;

        Transfer(Tensor tensor, CudaEvent copied, Tensor hostView, CudaStream copyStream) {
            this.tensor = tensor;
            this.copied = copied;
            this.hostView = hostView;
            this.copyStream = copyStream;
            this.scopeLink = ScopeLink.join(this);
        }

        @Override
        public void moveScope(Scope from, Scope to) {
            scopeLink.move(from, to);
        }

        /**
         * The device tensor (owned by this transfer unless taken with {@link #takeTensor()}), ready for the
         * caller's current stream: that stream waits for the copy on the GPU (the host does not block), and
         * the allocator keeps the tensor's memory until the work queued on it has run — PyTorch's
         * {@code current_stream().wait_stream(copy_stream)} plus {@code tensor.record_stream(current)}.
         */
        public Tensor tensor() {
            int device = tensor.device().index();
            try (CudaStream current = CudaStream.current(device)) {
                if (current.id() != copyStream.id()) {
                    current.waitFor(copied);
                    tensor.recordStream(current);
                }
            }
            return tensor;
        }

        public CudaEvent copied() {
            return copied;
        }

        /** Blocks until the copy has read the host array, which may then be refilled. */
        public void awaitHostReusable() {
            if (hostView != null) {
                copied.synchronize();
                hostView.close();
                hostView = null;
            }
        }

        /**
         * Hands the device tensor, ready for the caller's current stream as {@link #tensor()}, to the caller
         * (who closes it); the transfer still guards the host array.
         */
        public Tensor takeTensor() {
            return tensor().detach();
        }

        /** Waits until the host array may be reused, then frees the transfer's own handles. Idempotent. */
        @Override
        public void close() {
            scopeLink.leave();
            awaitHostReusable();
            copied.close();
            tensor.close();
        }
    }

    /**
     * Starts copying a CUDA tensor into a new pinned host array on {@code stream}; the array is available
     * from {@link PendingArray#await()} once the copy is complete.
     */
    public static PendingArray toHost(Tensor deviceTensor, CudaStream stream) {
        Device device = deviceTensor.device();
        requireSameDevice(device, stream);
        afterCurrentWork(device.index(), stream);  // the copy must not read before the kernels that wrote it
        Tensor hostView = null;
        CudaEvent done = null;
        NDArray pinned = null;
        try (Scope own = Scope.open(); CudaStream.Scope current = stream.makeCurrent()) {
            pinned = own.detach(PinnedMemory.allocate(DTypes.toArray(deviceTensor.dtype()), deviceTensor.shape()));
            hostView = own.detach(Bridge.fromArray(pinned));
            hostView.copy_(deviceTensor, true);
            deviceTensor.recordStream(stream);  // closing the tensor before await() must not free it under the copy
            done = CudaEvent.create().record(stream);
        } catch (RuntimeException e) {
            if (done == null && hostView != null) {
                stream.synchronize();  // a copy may be in flight into `pinned`: let it finish before freeing
            }
            closeAll(done, hostView, pinned);
            throw e;
        }
        return new PendingArray(pinned, hostView, done);  // joins the caller's scope, as a transfer does
    }

    /** A download in flight; the array from {@link #await()} joins the scope open on the awaiting thread. */
    public static final class PendingArray implements Scoped {
        private NDArray array;
        private final Tensor hostView;
        private final CudaEvent done;
        private final ScopeLink scopeLink;

        PendingArray(NDArray array, Tensor hostView, CudaEvent done) {
            this.array = array;
            this.hostView = hostView;
            this.done = done;
            this.scopeLink = ScopeLink.join(this);
        }

        @Override
        public void moveScope(Scope from, Scope to) {
            scopeLink.move(from, to);
        }

        public boolean isDone() {
            return done.isDone();
        }

        /** Waits for the copy and hands the array to the caller, who closes it. Only once. */
        public NDArray await() {
            if (array == null) {
                throw new IllegalStateException("await() was already called; the array belongs to its first caller");
            }
            done.synchronize();
            NDArray result = array;
            array = null;
            hostView.close();
            done.close();
            Scope awaiting = Scope.current();
            return awaiting == null ? result : awaiting.attach(result);
        }

        /** Waits for the copy (the memory must not be freed under it) and frees the array if not taken. */
        @Override
        public void close() {
            scopeLink.leave();
            if (array != null) {
                await().close();
            }
        }
    }

    // Makes `stream` wait (on the GPU) for the work queued so far on the caller's current stream of the device.
    private static void afterCurrentWork(int device, CudaStream stream) {
        try (CudaStream current = CudaStream.current(device)) {
            if (current.id() != stream.id()) {
                try (CudaEvent ready = CudaEvent.create()) {
                    stream.waitFor(ready.record(current));
                }
            }
        }
    }

    // Closes what a failed start managed to create (nulls skipped), keeping the first failure.
    private static void closeAll(AutoCloseable... resources) {
        for (AutoCloseable resource : resources) {
            if (resource != null) {
                try {
                    resource.close();
                } catch (Exception ignored) {
                    // the caller rethrows the original failure
                }
            }
        }
    }
}
