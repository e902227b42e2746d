package org.tensorbridge.torch;

import org.tensorbridge.core.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.concurrent.atomic.LongAdder;
import org.tensorbridge.core.LeakCheck;
import org.tensorbridge.core.Scope;
import org.tensorbridge.core.ScopeLink;
import org.tensorbridge.core.Scoped;
import org.tensorbridge.torch.internal.Deleters;
import org.tensorbridge.torch.internal.TensorHandle;

/**
 * A libtorch tensor.
 *
 * <h2>Ownership</h2>
 * A tensor created while a {@link Scope} is open on the thread belongs to that scope and is closed with it;
 * otherwise its creator closes it (try-with-resources). Closing is idempotent; using a closed tensor throws
 * {@link IllegalStateException}. A {@link Cleaner} frees tensors nobody closed and reports them
 * ({@link #unclosedCount()}; with {@link LeakCheck} on, as errors carrying the stack of their creation).
 *
 * <p>One rule for results: in-place methods (names ending in {@code _}, as in PyTorch) return this same
 * object, for chaining; every other method returns a new tensor the caller (or the scope) owns — never this
 * one. Views share memory with this tensor and keep it alive, as in PyTorch.
 *
 * <p>Typed methods cover the everyday operators; {@link Op} calls any other ATen operator by name.
 */
public final class Tensor implements Scoped {
    private static final LongAdder UNCLOSED = new LongAdder();

    private final Owner owner;
    private final Cleaner.Cleanable cleanable;
    private final ScopeLink scopeLink;

    /**
     * Owns the handle: counts the native calls in flight on it, so that closing a tensor while another thread
     * is inside a call on it frees it only when that call returns (never under it). Registered with the
     * Cleaner, so it must not reference the Tensor.
     */
    private static final class Owner implements Runnable {
        private static final int CLOSED = 1 << 30;
        final TensorHandle handle;
        final AtomicInteger state = new AtomicInteger();  // CLOSED bit + calls in flight
        final AtomicBoolean freed = new AtomicBoolean();
        final Throwable creationSite = LeakCheck.creationSite();
        volatile boolean closedByUser;

        Owner(TensorHandle handle) {
            this.handle = handle;
        }

        TensorHandle acquire() {
            while (true) {
                int s = state.get();
                if ((s & CLOSED) != 0) {
                    throw new IllegalStateException("tensor was closed; it cannot be used any more"
                            + " (keep it open, or clone() it before closing)");
                }
                if (state.compareAndSet(s, s + 1)) {
                    return handle;
                }
            }
        }

        void release() {
            if (state.decrementAndGet() == CLOSED) {
                free();
            }
        }

        /** Marks the tensor closed; true when it was freed now, false when a call in flight will free it. */
        boolean close() {
            while (true) {
                int s = state.get();
                if ((s & CLOSED) != 0) {
                    return freed.get();
                }
                if (state.compareAndSet(s, s | CLOSED)) {
                    if (s == 0) {
                        free();
                        return true;
                    }
                    return false;
                }
            }
        }

        /**
         * The Cleaner's action (or the tail of a user's close). It goes through {@link #close()} like any
         * close: a call still in flight on the handle frees it when it returns.
         */
        @Override
        public void run() {
            if (!closedByUser && (state.get() & CLOSED) == 0) {
                UNCLOSED.increment();
                LeakCheck.reportLeak("a tensor", creationSite);
            }
            close();
        }

        private void free() {
            if (!freed.compareAndSet(false, true)) {
                return;
            }
            try {
                handle.free();
            } catch (RuntimeException e) {
                System.getLogger(Tensor.class.getName()).log(System.Logger.Level.WARNING, "freeing a tensor failed", e);
            }
        }
    }

    private Tensor(TensorHandle handle) {
        this.owner = new Owner(handle);
        this.cleanable = LeakCheck.cleaner().register(this, owner);
        this.scopeLink = ScopeLink.join(this);
    }

    /** Takes ownership of a handle the shim returned. */
    static Tensor own(TensorHandle handle) {
        return new Tensor(handle);
    }

    /**
     * Starts a native call on this tensor: returns its handle and keeps it from being freed until
     * {@link #endUse()}. Throws when the tensor was closed. Every acquire needs exactly one endUse.
     */
    TensorHandle beginUse() {
        return owner.acquire();
    }

    void endUse() {
        owner.release();
    }

    /** Runs {@code call} on this tensor's handle, which stays valid for the call even if another thread closes it. */
    private <R> R with(Function<TensorHandle, R> call) {
        TensorHandle handle = owner.acquire();
        try {
            return call.apply(handle);
        } finally {
            owner.release();
            Reference.reachabilityFence(this);  // no Cleaner run while the call is in flight
        }
    }

    /**
     * A second native handle on this tensor (the same TensorImpl), owned by the caller, who frees it; for the
     * layers above (the bridge keeps one to hold a tensor's storage alive).
     */
    public TensorHandle shareHandle() {
        return with(TensorHandle::share);
    }

    /** Wraps a handle the caller owns (from a binding layer such as the bridge); the tensor then owns it. */
    public static Tensor fromHandle(TensorHandle handle) {
        return own(handle);
    }

    public boolean isClosed() {
        return (owner.state.get() & Owner.CLOSED) != 0;
    }

    /** How many tensors were freed by the garbage collector because nobody closed them. */
    public static long unclosedCount() {
        return UNCLOSED.sum();
    }

    /**
     * Frees the tensor (idempotent). If another thread is inside a call on it, the memory is freed when that
     * call returns; any later use throws {@link IllegalStateException}.
     */
    @Override
    public void close() {
        owner.closedByUser = true;
        scopeLink.leave();
        if (owner.close()) {
            cleanable.clean();
        }
    }

    @Override
    public void moveScope(Scope from, Scope to) {
        scopeLink.move(from, to);
    }

    // ---------------------------------------------------------------- metadata

    private long[] meta() {
        long[] meta = new long[TensorHandle.META_COUNT];
        with(handle -> {
            handle.meta(meta);
            return null;
        });
        return meta;
    }

    /**
     * One consistent snapshot of the metadata, in two native calls (the single getters make one each).
     *
     * @param strides in elements; {@code dataAddress} is the first element's (0 without storage)
     */
    public record Info(DType dtype, Device device, Layout layout, boolean requiresGrad, boolean isConj, boolean isNeg,
                       long[] shape, long[] strides, long storageOffset, long dataAddress) {
    }

    public Info info() {
        return with(handle -> {
            long[] m = new long[TensorHandle.META_COUNT];
            handle.meta(m);
            long[][] shape = handle.shape((int) m[TensorHandle.DIM]);
            return new Info(ScalarTypes.fromCode((int) m[TensorHandle.DTYPE]),
                    new Device(DeviceType.fromCode((int) m[TensorHandle.DEVICE_TYPE]), (int) m[TensorHandle.DEVICE_INDEX]),
                    Layout.fromCode((int) m[TensorHandle.LAYOUT]), m[TensorHandle.REQUIRES_GRAD] != 0,
                    m[TensorHandle.IS_CONJ] != 0, m[TensorHandle.IS_NEG] != 0, shape[0], shape[1],
                    m[TensorHandle.STORAGE_OFFSET], m[TensorHandle.DATA_PTR]);
        });
    }

    public int dim() {
        return (int) meta()[TensorHandle.DIM];
    }

    public long[] shape() {
        return with(TensorHandle::shape)[0];
    }

    public long size(int dim) {
        long[] shape = shape();
        return shape[dim < 0 ? dim + shape.length : dim];
    }

    /** Strides in elements, as PyTorch reports them. */
    public long[] strides() {
        return with(TensorHandle::shape)[1];
    }

    public long storageOffset() {
        return meta()[TensorHandle.STORAGE_OFFSET];
    }

    public long numel() {
        return meta()[TensorHandle.NUMEL];
    }

    public int elementSize() {
        return (int) meta()[TensorHandle.ELEMENT_SIZE];
    }

    public DType dtype() {
        return ScalarTypes.fromCode((int) meta()[TensorHandle.DTYPE]);
    }

    public Device device() {
        long[] meta = meta();
        return new Device(DeviceType.fromCode((int) meta[TensorHandle.DEVICE_TYPE]), (int) meta[TensorHandle.DEVICE_INDEX]);
    }

    public Layout layout() {
        return Layout.fromCode((int) meta()[TensorHandle.LAYOUT]);
    }

    public boolean requiresGrad() {
        return meta()[TensorHandle.REQUIRES_GRAD] != 0;
    }

    public boolean isLeaf() {
        return meta()[TensorHandle.IS_LEAF] != 0;
    }

    public boolean isContiguous() {
        return meta()[TensorHandle.IS_CONTIGUOUS] != 0;
    }

    /** Whether the lazy conjugate bit is set (call {@code resolveConj()} to materialise it). */
    public boolean isConj() {
        return meta()[TensorHandle.IS_CONJ] != 0;
    }

    public boolean isNeg() {
        return meta()[TensorHandle.IS_NEG] != 0;
    }

    /** The address of the first element (0 for tensors without storage). */
    public long dataAddress() {
        return meta()[TensorHandle.DATA_PTR];
    }

    /** The size in bytes of the storage this tensor views (its own elements, and any others it shares with). */
    public long storageBytes() {
        return with(TensorHandle::storageBytes);
    }

    /** Whether both are the same tensor object (not merely equal values). */
    public boolean isSameTensor(Tensor other) {
        return with(mine -> other.with(mine::sameTensor));
    }

    // ---------------------------------------------------------------- creation

    public static Tensor empty(long... shape) {
        return empty(TensorOptions.DEFAULT, shape);
    }

    public static Tensor empty(TensorOptions options, long... shape) {
        return created(Ops.EMPTY.apply(shape, Op.kw("dtype", options.dtype()), Op.kw("device", options.device())), options);
    }

    public static Tensor zeros(long... shape) {
        return zeros(TensorOptions.DEFAULT, shape);
    }

    public static Tensor zeros(TensorOptions options, long... shape) {
        return created(Ops.ZEROS.apply(shape, Op.kw("dtype", options.dtype()), Op.kw("device", options.device())), options);
    }

    public static Tensor ones(long... shape) {
        return ones(TensorOptions.DEFAULT, shape);
    }

    public static Tensor ones(TensorOptions options, long... shape) {
        return created(Ops.ONES.apply(shape, Op.kw("dtype", options.dtype()), Op.kw("device", options.device())), options);
    }

    public static Tensor full(double value, long... shape) {
        return full(TensorOptions.DEFAULT, value, shape);
    }

    public static Tensor full(TensorOptions options, double value, long... shape) {
        return created(Ops.FULL.apply(shape, scalar(value, options.dtype()), Op.kw("dtype", options.dtype()),
                Op.kw("device", options.device())), options);
    }

    /** {@code [start, end)} in steps of {@code step}, like {@code torch.arange}. */
    public static Tensor arange(double start, double end, double step, TensorOptions options) {
        return created(Ops.ARANGE.apply(scalar(start, options.dtype()), scalar(end, options.dtype()),
                scalar(step, options.dtype()), Op.kw("dtype", options.dtype()), Op.kw("device", options.device())), options);
    }

    /** {@code 0, 1, ..., end - 1} as int64, like {@code torch.arange(end)}. */
    public static Tensor arange(long end) {
        return arange(0, end, 1, TensorOptions.of(DType.INT64));
    }

    public static Tensor linspace(double start, double end, long steps, TensorOptions options) {
        return created(Ops.LINSPACE.apply(start, end, steps, Op.kw("dtype", options.dtype()),
                Op.kw("device", options.device())), options);
    }

    /** Uniform on [0, 1), from libtorch's generator ({@link Torch#manualSeed(long)} makes it repeatable). */
    public static Tensor rand(TensorOptions options, long... shape) {
        return created(Ops.RAND.apply(shape, Op.kw("dtype", options.dtype()), Op.kw("device", options.device())), options);
    }

    public static Tensor rand(long... shape) {
        return rand(TensorOptions.DEFAULT, shape);
    }

    /** Standard normal, from libtorch's generator. */
    public static Tensor randn(TensorOptions options, long... shape) {
        return created(Ops.RANDN.apply(shape, Op.kw("dtype", options.dtype()), Op.kw("device", options.device())), options);
    }

    public static Tensor randn(long... shape) {
        return randn(TensorOptions.DEFAULT, shape);
    }

    /** Integers uniform on {@code [low, high)}; int64 unless the options say otherwise. */
    public static Tensor randint(long low, long high, TensorOptions options, long... shape) {
        return created(Ops.RANDINT.apply(low, high, shape, Op.kw("dtype", options.dtype()),
                Op.kw("device", options.device())), options);
    }

    public static Tensor eye(long n, TensorOptions options) {
        return created(Ops.EYE.apply(n, Op.kw("dtype", options.dtype()), Op.kw("device", options.device())), options);
    }

    /** A CPU float32 tensor holding a copy of {@code values}; no shape means 1-D. */
    public static Tensor of(float[] values, long... shape) {
        return copied(MemorySegment.ofArray(values), DType.FLOAT32, values.length, shape);
    }

    /** A CPU float64 tensor holding a copy of {@code values}; no shape means 1-D. */
    public static Tensor of(double[] values, long... shape) {
        return copied(MemorySegment.ofArray(values), DType.FLOAT64, values.length, shape);
    }

    /** A CPU int64 tensor holding a copy of {@code values}; no shape means 1-D. */
    public static Tensor of(long[] values, long... shape) {
        return copied(MemorySegment.ofArray(values), DType.INT64, values.length, shape);
    }

    /** A CPU int32 tensor holding a copy of {@code values}; no shape means 1-D. */
    public static Tensor of(int[] values, long... shape) {
        return copied(MemorySegment.ofArray(values), DType.INT32, values.length, shape);
    }

    private static Tensor copied(MemorySegment values, DType dtype, long count, long[] shape) {
        long[] resolved = shape.length == 0 ? new long[] {count} : shape;
        long size = 1;
        for (long d : resolved) {
            size = Math.multiplyExact(size, d);
        }
        if (size != count) {
            throw new IllegalArgumentException("shape " + Arrays.toString(resolved) + " holds " + size + " elements, but "
                    + count + " values were given");
        }
        Tensor tensor = empty(TensorOptions.of(dtype), resolved);
        try {
            MemorySegment.copy(values, 0, MemorySegment.ofAddress(tensor.dataAddress()).reinterpret(values.byteSize()), 0,
                    values.byteSize());
            return tensor;
        } catch (RuntimeException | Error e) {
            tensor.close();
            throw e;
        }
    }

    /** A 0-dim tensor holding {@code value}. */
    public static Tensor scalarTensor(double value, TensorOptions options) {
        return full(options, value);
    }

    private static Object scalar(double value, DType dtype) {
        // Integer dtypes get an int Scalar so large values stay exact.
        return dtype.isFloatingPoint() || dtype.isComplex() || value != Math.rint(value) ? (Object) value : (Object) (long) value;
    }

    private static Tensor created(Tensor tensor, TensorOptions options) {
        if (options.requiresGrad()) {
            tensor.requiresGrad(true);
        }
        return tensor;
    }

    /**
     * A tensor over memory libtorch does not own (like {@code torch.from_blob}): no copy. {@code strides}
     * and {@code storageOffset} are in elements. {@code onRelease} runs exactly once when libtorch no longer
     * uses the memory — possibly on another thread, possibly long after this tensor is closed (views keep the
     * storage alive) — and also when this call fails. The caller keeps {@code data} valid until then.
     */
    public static Tensor wrap(MemorySegment data, DType dtype, long[] shape, long[] strides, long storageOffset,
                              Device device, Runnable onRelease) {
        long context = 0;
        boolean registered = false;
        try {
            if (shape.length != strides.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " and strides "
                        + Arrays.toString(strides) + " differ in length");
            }
            if (!data.isNative()) {
                throw new IllegalArgumentException("libtorch can only wrap native memory, not a heap segment: copy the"
                        + " data into an off-heap segment (or use a copying factory) first");
            }
            int code = ScalarTypes.code(dtype);
            MemorySegment stub = onRelease == null ? MemorySegment.NULL : Deleters.stub();
            if (onRelease != null) {
                context = Deleters.register(onRelease);
                registered = true;
            }
            return own(TensorHandle.fromBlob(data, shape, strides, storageOffset, code, device.type().code(),
                    device.index(), stub, context));
        } catch (RuntimeException | Error e) {
            // The shim fires the deleter itself when it fails (then releaseNow finds nothing to run); this
            // keeps the promise for failures before the shim was reached.
            if (onRelease != null) {
                if (registered) {
                    Deleters.releaseNow(context);
                } else {
                    onRelease.run();
                }
            }
            throw e;
        }
    }

    // ---------------------------------------------------------------- arithmetic (broadcasting)

    public Tensor add(Tensor other) {
        return Ops.ADD.apply(this, other);
    }

    /** {@code this + alpha * other}. */
    public Tensor add(Tensor other, double alpha) {
        return Ops.ADD.apply(this, other, Op.kw("alpha", alpha));
    }

    public Tensor add(double value) {
        return Ops.ADD_SCALAR.apply(this, value);
    }

    /** With an integer scalar: integer tensors stay integer, as with a Python int in PyTorch. */
    public Tensor add(long value) {
        return Ops.ADD_SCALAR.apply(this, value);
    }

    public Tensor sub(Tensor other) {
        return Ops.SUB.apply(this, other);
    }

    public Tensor sub(double value) {
        return Ops.SUB_SCALAR.apply(this, value);
    }

    /** With an integer scalar: integer tensors stay integer, as with a Python int in PyTorch. */
    public Tensor sub(long value) {
        return Ops.SUB_SCALAR.apply(this, value);
    }

    public Tensor mul(Tensor other) {
        return Ops.MUL.apply(this, other);
    }

    public Tensor mul(double value) {
        return Ops.MUL_SCALAR.apply(this, value);
    }

    /** With an integer scalar: integer tensors stay integer, as with a Python int in PyTorch. */
    public Tensor mul(long value) {
        return Ops.MUL_SCALAR.apply(this, value);
    }

    /** True division (integers give floats), as {@code torch.div}. */
    public Tensor div(Tensor other) {
        return Ops.DIV.apply(this, other);
    }

    public Tensor div(double value) {
        return Ops.DIV_SCALAR.apply(this, value);
    }

    public Tensor pow(double exponent) {
        return Ops.POW_SCALAR.apply(this, exponent);
    }

    public Tensor pow(Tensor exponent) {
        return Ops.POW.apply(this, exponent);
    }

    public Tensor neg() {
        return Ops.NEG.apply(this);
    }

    // ---------------------------------------------------------------- in place (return this same tensor)

    /** {@code this += other}, in place; returns this tensor. */
    public Tensor add_(Tensor other) {
        return inPlace(Ops.ADD_.apply(this, other));
    }

    /** {@code this += alpha * other}, in place; returns this tensor. */
    public Tensor add_(Tensor other, double alpha) {
        return inPlace(Ops.ADD_.apply(this, other, Op.kw("alpha", alpha)));
    }

    public Tensor add_(double value) {
        return inPlace(Ops.ADD_SCALAR_.apply(this, value));
    }

    public Tensor sub_(Tensor other) {
        return inPlace(Ops.SUB_.apply(this, other));
    }

    public Tensor sub_(double value) {
        return inPlace(Ops.SUB_SCALAR_.apply(this, value));
    }

    public Tensor mul_(Tensor other) {
        return inPlace(Ops.MUL_.apply(this, other));
    }

    public Tensor mul_(double value) {
        return inPlace(Ops.MUL_SCALAR_.apply(this, value));
    }

    public Tensor div_(Tensor other) {
        return inPlace(Ops.DIV_.apply(this, other));
    }

    public Tensor div_(double value) {
        return inPlace(Ops.DIV_SCALAR_.apply(this, value));
    }

    /** Sets every element to 0; returns this tensor. */
    public Tensor zero_() {
        return inPlace(Ops.ZERO_.apply(this));
    }

    /** Sets every element to {@code value}; returns this tensor. */
    public Tensor fill_(double value) {
        return inPlace(Ops.FILL_.apply(this, value));
    }

    public Tensor clamp_(double min, double max) {
        return inPlace(Ops.CLAMP_.apply(this, min, max));
    }

    public Tensor relu_() {
        return inPlace(Ops.RELU_.apply(this));
    }

    /** {@code this += value * a * b}, in place (optimizers' step); returns this tensor. */
    public Tensor addcmul_(Tensor a, Tensor b, double value) {
        return inPlace(Ops.ADDCMUL_.apply(this, a, b, Op.kw("value", value)));
    }

    /** {@code this += value * a / b}, in place; returns this tensor. */
    public Tensor addcdiv_(Tensor a, Tensor b, double value) {
        return inPlace(Ops.ADDCDIV_.apply(this, a, b, Op.kw("value", value)));
    }

    /** {@code this += weight * (end - this)}, in place; returns this tensor. */
    public Tensor lerp_(Tensor end, double weight) {
        return inPlace(Ops.LERP_.apply(this, end, weight));
    }

    /** Copies {@code source} into this tensor (broadcasting, converting dtype and device); returns this tensor. */
    public Tensor copy_(Tensor source) {
        return copy_(source, false);
    }

    /**
     * {@link #copy_(Tensor)}; with {@code nonBlocking} a copy between pinned host memory and CUDA runs
     * asynchronously on the current stream — wait for it (an event, or the stream) before reading the result.
     */
    public Tensor copy_(Tensor source, boolean nonBlocking) {
        return inPlace(Ops.COPY_.apply(this, source, nonBlocking));
    }

    // An in-place operator returns a second handle on this tensor: free it, hand back this one.
    private Tensor inPlace(Tensor alias) {
        alias.close();
        return this;
    }

    // ---------------------------------------------------------------- math

    public Tensor abs() {
        return Ops.ABS.apply(this);
    }

    public Tensor sqrt() {
        return Ops.SQRT.apply(this);
    }

    public Tensor exp() {
        return Ops.EXP.apply(this);
    }

    public Tensor log() {
        return Ops.LOG.apply(this);
    }

    public Tensor sin() {
        return Ops.SIN.apply(this);
    }

    public Tensor cos() {
        return Ops.COS.apply(this);
    }

    public Tensor tanh() {
        return Ops.TANH.apply(this);
    }

    public Tensor sigmoid() {
        return Ops.SIGMOID.apply(this);
    }

    public Tensor relu() {
        return Ops.RELU.apply(this);
    }

    public Tensor clamp(double min, double max) {
        return Ops.CLAMP.apply(this, min, max);
    }

    // ---------------------------------------------------------------- comparisons (bool results)

    public Tensor eq(Tensor other) {
        return Ops.EQ.apply(this, other);
    }

    public Tensor eq(double value) {
        return Ops.EQ_SCALAR.apply(this, value);
    }

    public Tensor ne(Tensor other) {
        return Ops.NE.apply(this, other);
    }

    public Tensor lt(Tensor other) {
        return Ops.LT.apply(this, other);
    }

    public Tensor lt(double value) {
        return Ops.LT_SCALAR.apply(this, value);
    }

    public Tensor le(Tensor other) {
        return Ops.LE.apply(this, other);
    }

    public Tensor gt(Tensor other) {
        return Ops.GT.apply(this, other);
    }

    public Tensor gt(double value) {
        return Ops.GT_SCALAR.apply(this, value);
    }

    public Tensor ge(Tensor other) {
        return Ops.GE.apply(this, other);
    }

    /** Whether shapes and all values are equal, like {@code torch.equal}. */
    public boolean equal(Tensor other) {
        try (OpResult result = Ops.EQUAL.call(this, other)) {
            return result.boolValue(0);
        }
    }

    /** {@code torch.allclose}. */
    public boolean allclose(Tensor other, double rtol, double atol) {
        try (OpResult result = Ops.ALLCLOSE.call(this, other, rtol, atol)) {
            return result.boolValue(0);
        }
    }

    // ---------------------------------------------------------------- linear algebra

    public Tensor matmul(Tensor other) {
        return Ops.MATMUL.apply(this, other);
    }

    public Tensor mm(Tensor other) {
        return Ops.MM.apply(this, other);
    }

    public Tensor bmm(Tensor other) {
        return Ops.BMM.apply(this, other);
    }

    public Tensor dot(Tensor other) {
        return Ops.DOT.apply(this, other);
    }

    /** Transpose of a tensor with at most 2 dims. */
    public Tensor t() {
        return Ops.T.apply(this);
    }

    // ---------------------------------------------------------------- reductions

    public Tensor sum() {
        return Ops.SUM.apply(this);
    }

    public Tensor sum(long[] dims, boolean keepDim) {
        return Ops.SUM_DIM.apply(this, dims, keepDim);
    }

    public Tensor mean() {
        return Ops.MEAN.apply(this);
    }

    public Tensor mean(long[] dims, boolean keepDim) {
        return Ops.MEAN_DIM.apply(this, dims, keepDim);
    }

    /** Standard deviation over {@code dims} with Bessel's correction {@code correction} (1 = unbiased). */
    public Tensor std(long[] dims, long correction, boolean keepDim) {
        return Ops.STD.apply(this, dims, Op.kw("correction", correction), Op.kw("keepdim", keepDim));
    }

    public Tensor var(long[] dims, long correction, boolean keepDim) {
        return Ops.VAR.apply(this, dims, Op.kw("correction", correction), Op.kw("keepdim", keepDim));
    }

    public Tensor max() {
        return Ops.MAX.apply(this);
    }

    public Tensor min() {
        return Ops.MIN.apply(this);
    }

    /** Maximum over {@code dim}: values and their indices, like {@code torch.max(x, dim)}. */
    public ValuesIndices max(long dim, boolean keepDim) {
        return ValuesIndices.of(Ops.MAX_DIM.call(this, dim, keepDim));
    }

    public ValuesIndices min(long dim, boolean keepDim) {
        return ValuesIndices.of(Ops.MIN_DIM.call(this, dim, keepDim));
    }

    public Tensor argmax() {
        return Ops.ARGMAX.apply(this);
    }

    public Tensor argmax(long dim, boolean keepDim) {
        return Ops.ARGMAX.apply(this, dim, keepDim);
    }

    /** The values and indices of a reduction over a dimension; closing it closes both. */
    public record ValuesIndices(Tensor values, Tensor indices) implements Scoped {
        static ValuesIndices of(OpResult result) {
            try (result) {
                return new ValuesIndices(result.takeTensor(0), result.takeTensor(1));
            }
        }

        @Override
        public void close() {
            values.close();
            indices.close();
        }

        @Override
        public void moveScope(Scope from, Scope to) {
            values.moveScope(from, to);
            indices.moveScope(from, to);
        }
    }

    // ---------------------------------------------------------------- shape

    public Tensor view(long... shape) {
        return Ops.VIEW.apply(this, shape);
    }

    public Tensor reshape(long... shape) {
        return Ops.RESHAPE.apply(this, shape);
    }

    public Tensor permute(long... dims) {
        return Ops.PERMUTE.apply(this, dims);
    }

    public Tensor transpose(long dim0, long dim1) {
        return Ops.TRANSPOSE.apply(this, dim0, dim1);
    }

    public Tensor contiguous() {
        return Ops.CONTIGUOUS.apply(this);
    }

    public Tensor squeeze() {
        return Ops.SQUEEZE.apply(this);
    }

    public Tensor squeeze(long dim) {
        return Ops.SQUEEZE_DIM.apply(this, dim);
    }

    public Tensor unsqueeze(long dim) {
        return Ops.UNSQUEEZE.apply(this, dim);
    }

    public Tensor flatten() {
        return flatten(0, -1);
    }

    public Tensor flatten(long startDim, long endDim) {
        return Ops.FLATTEN.apply(this, startDim, endDim);
    }

    public static Tensor cat(List<Tensor> tensors, long dim) {
        return Ops.CAT.apply(tensors, dim);
    }

    public static Tensor stack(List<Tensor> tensors, long dim) {
        return Ops.STACK.apply(tensors, dim);
    }

    /** Splits into chunks of {@code splitSize} along {@code dim} (the last may be smaller); views. */
    public List<Tensor> split(long splitSize, long dim) {
        try (OpResult result = Ops.SPLIT.call(this, splitSize, dim)) {
            return result.takeTensors(0);
        }
    }

    /** {@code this[start:end:step]} along {@code dim}; a view. */
    public Tensor slice(long dim, long start, long end, long step) {
        return Ops.SLICE.apply(this, dim, start, end, step);
    }

    /** {@code this.select(dim, index)}: drops {@code dim}; a view. */
    public Tensor select(long dim, long index) {
        return Ops.SELECT.apply(this, dim, index);
    }

    public Tensor indexSelect(long dim, Tensor index) {
        return Ops.INDEX_SELECT.apply(this, dim, index);
    }

    public Tensor gather(long dim, Tensor index) {
        return Ops.GATHER.apply(this, dim, index);
    }

    // ---------------------------------------------------------------- conversion and copies

    public Tensor to(DType dtype) {
        return Ops.TO_DTYPE.apply(this, dtype, false, false);
    }

    public Tensor to(Device device) {
        return to(device, false);
    }

    /**
     * Moves to {@code device}; {@code nonBlocking} lets an upload from pinned memory run asynchronously (in
     * stream order on the device, as in PyTorch). A download to the CPU always completes before this returns:
     * in PyTorch a non-blocking download hands out host memory that is still being written, which reads as
     * garbage; {@code DeviceCopies.toHost} is the asynchronous download whose result cannot be read early.
     */
    public Tensor to(Device device, boolean nonBlocking) {
        Tensor moved = Ops.TO_DEVICE.apply(this, Op.kw("device", device), Op.kw("non_blocking", nonBlocking));
        if (nonBlocking && device.type() == DeviceType.CPU) {
            Device source = device();
            if (source.type() == DeviceType.CUDA) {
                try (CudaStream current = CudaStream.current(source.index())) {
                    current.synchronize();
                } catch (RuntimeException | Error e) {
                    moved.close();
                    throw e;
                }
            }
        }
        return moved;
    }

    public Tensor clone() {
        return Ops.CLONE.apply(this);
    }

    /** The single value of a one-element tensor, as a double. */
    public double item() {
        return with(TensorHandle::itemDouble);
    }

    /** The single value of a one-element integer tensor, exactly. */
    public long itemLong() {
        return with(TensorHandle::itemLong);
    }

    // ---------------------------------------------------------------- autograd

    /** Sets whether autograd records operations on this (leaf) tensor; returns this. */
    public Tensor requiresGrad(boolean requiresGrad) {
        with(handle -> {
            handle.setRequiresGrad(requiresGrad);
            return null;
        });
        return this;
    }

    /** Materialises a lazy conjugate bit (a copy when set, this tensor's data otherwise). */
    public Tensor resolveConj() {
        return Ops.RESOLVE_CONJ.apply(this);
    }

    /** Materialises a lazy negative bit (a copy when set, this tensor's data otherwise). */
    public Tensor resolveNeg() {
        return Ops.RESOLVE_NEG.apply(this);
    }

    /** A tensor sharing this one's data, cut from the autograd graph. */
    public Tensor detach() {
        return Ops.DETACH.apply(this);
    }

    /** Back-propagates from this scalar tensor. */
    public void backward() {
        backward(null, false, false);
    }

    /** Back-propagates with an explicit output gradient (for non-scalar outputs). */
    public void backward(Tensor gradient, boolean retainGraph, boolean createGraph) {
        with(handle -> gradient == null ? backward(handle, null, retainGraph, createGraph)
                : gradient.with(grad -> backward(handle, grad, retainGraph, createGraph)));
    }

    /** The accumulated gradient (a new handle the caller closes), or null when there is none. */
    public Tensor grad() {
        TensorHandle grad = with(TensorHandle::grad);
        return grad == null ? null : own(grad);
    }

    /**
     * Tells the CUDA caching allocator that {@code stream} uses this tensor: its memory is not handed to
     * another allocation until the work queued on {@code stream} so far has run, even if this tensor is closed
     * first ({@code Tensor.record_stream}). Needed when a tensor made on one stream is used on another.
     */
    public Tensor recordStream(CudaStream stream) {
        with(handle -> {
            handle.recordStream(stream.pointer());
            return null;
        });
        return this;
    }

    /** The autograd node that made this tensor, e.g. "AddBackward0"; "" for a leaf (PyTorch's grad_fn). */
    public String gradFnName() {
        return with(TensorHandle::gradFnName);
    }

    /** Replaces the accumulated gradient; null clears it (like {@code x.grad = None}). */
    public void setGrad(Tensor grad) {
        with(handle -> grad == null ? setGrad(handle, null) : grad.with(g -> setGrad(handle, g)));
    }

    private static Void backward(TensorHandle tensor, TensorHandle gradient, boolean retainGraph, boolean createGraph) {
        tensor.backward(gradient, retainGraph, createGraph);
        return null;
    }

    private static Void setGrad(TensorHandle tensor, TensorHandle grad) {
        tensor.setGrad(grad);
        return null;
    }

    // ---------------------------------------------------------------- values out

    /** {@code this[index...]}: a view that drops the indexed leading dimensions (negative indices count from the end). */
    public Tensor get(long... index) {
        if (index.length == 0) {
            return alias();
        }
        return Scope.compute(() -> {
            Tensor view = this;
            for (long i : index) {
                view = view.select(0, i);
            }
            return view;
        });
    }

    /** A new handle on this same tensor (same data, same autograd identity), for the caller to own. */
    public Tensor alias() {
        return own(shareHandle());
    }

    /** The element at {@code index} (one index per dimension) as a double; {@code item()} of a 0-dim tensor. */
    public double getDouble(long... index) {
        try (Tensor element = get(index)) {
            return element.item();
        }
    }

    /** The element at {@code index} as a long, exactly for integer dtypes. */
    public long getLong(long... index) {
        try (Tensor element = get(index)) {
            return element.itemLong();
        }
    }

    /** All values in row-major order as floats (moves to the CPU and converts when needed). */
    public float[] toFloatArray() {
        return realValues(DType.FLOAT32, "toFloatArray", segment -> segment.toArray(ValueLayout.JAVA_FLOAT));
    }

    /** All values in row-major order as doubles (moves to the CPU and converts when needed). */
    public double[] toDoubleArray() {
        return realValues(DType.FLOAT64, "toDoubleArray", segment -> segment.toArray(ValueLayout.JAVA_DOUBLE));
    }

    /** All values as longs (floats truncate toward zero, as libtorch converts). */
    public long[] toLongArray() {
        return realValues(DType.INT64, "toLongArray", segment -> segment.toArray(ValueLayout.JAVA_LONG));
    }

    public int[] toIntArray() {
        return realValues(DType.INT32, "toIntArray", segment -> segment.toArray(ValueLayout.JAVA_INT));
    }

    public short[] toShortArray() {
        return realValues(DType.INT16, "toShortArray", segment -> segment.toArray(ValueLayout.JAVA_SHORT));
    }

    public byte[] toByteArray() {
        return realValues(DType.INT8, "toByteArray", segment -> segment.toArray(ValueLayout.JAVA_BYTE));
    }

    /** All values as booleans ({@code != 0}, as {@code tensor.bool()}). */
    public boolean[] toBooleanArray() {
        return realValues(DType.BOOL, "toBooleanArray", segment -> {
            boolean[] values = new boolean[(int) segment.byteSize()];
            for (int i = 0; i < values.length; i++) {
                values[i] = segment.get(ValueLayout.JAVA_BYTE, i) != 0;
            }
            return values;
        });
    }

    /**
     * All values of a complex (or real) tensor as {@code [re0, im0, re1, im1, ...]} doubles, the conjugate
     * and negative bits resolved.
     */
    public double[] toComplexArray() {
        return values(DType.COMPLEX128, segment -> segment.toArray(ValueLayout.JAVA_DOUBLE));
    }

    private <T> T realValues(DType as, String method, Function<MemorySegment, T> read) {
        DType dtype = dtype();
        if (dtype.isComplex()) {
            throw new TorchTypeException(method + "() would drop the imaginary parts of this " + dtype.torchName()
                    + " tensor: use toComplexArray() (re, im interleaved), or real() / imag() first");
        }
        return values(as, read);
    }

    // The values as a C-contiguous CPU copy of dtype {@code as}, read before the copy is freed.
    private <T> T values(DType as, Function<MemorySegment, T> read) {
        try (Scope scope = Scope.open()) {
            Tensor flat = detach().resolveConj().resolveNeg().to(Device.CPU).to(as).contiguous();
            long bytes = Math.multiplyExact(flat.numel(), (long) as.byteSize());
            if (bytes / as.byteSize() > Integer.MAX_VALUE - 8) {
                throw new TorchValueException("a tensor of " + flat.numel() + " elements does not fit in a Java array:"
                        + " read it in slices (narrow/select), or share it with Bridge.toArray");
            }
            return read.apply(MemorySegment.ofAddress(flat.dataAddress()).reinterpret(bytes));
        }
    }

    /** The real part of a complex tensor (a view); a real tensor's own values otherwise. */
    public Tensor real() {
        return Ops.REAL.apply(this);
    }

    /** The imaginary part of a complex tensor (a view). */
    public Tensor imag() {
        return Ops.IMAG.apply(this);
    }

    /**
     * The values as PyTorch prints them ({@code str(tensor)}): summarised beyond 1000 elements, with the
     * dtype (when not a default one), the device and the autograd state.
     */
    @Override
    public String toString() {
        if (isClosed()) {
            return "Tensor(closed)";
        }
        return TensorFormatter.format(this);
    }
}
