package org.tensorbridge.ndarray;

import org.tensorbridge.core.DType;

import static org.tensorbridge.ndarray.Elements.F32;
import static org.tensorbridge.ndarray.Elements.F64;
import static org.tensorbridge.ndarray.Elements.I16;
import static org.tensorbridge.ndarray.Elements.I32;
import static org.tensorbridge.ndarray.Elements.I64;
import static org.tensorbridge.ndarray.Elements.I8;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.tensorbridge.core.LeakCheck;
import org.tensorbridge.core.Scope;
import org.tensorbridge.core.ScopeLink;
import org.tensorbridge.core.Scoped;

/**
 * A NumPy-compatible n-dimensional array over off-heap, little-endian memory ({@link NDBuffer}).
 *
 * <h2>Layout</h2>
 * An array is (buffer, dtype, shape, byte strides, byte offset), exactly NumPy's model: element
 * {@code (i0, i1, ...)} lives at {@code byteOffset + sum(ik * strides[k])} in the buffer. Strides may be
 * negative (reversed views) or zero (broadcast views).
 *
 * <h2>Lifetime</h2>
 * One model for every array, as for tensors: each array — from a factory, an operation, or a view (slice,
 * get, select, transpose, reshape, broadcastTo, ...) — owns one count of its {@link NDBuffer}, so a view
 * keeps the memory it views alive after the array it came from is closed, as NumPy's {@code base} does.
 * An array created while a {@link Scope} is open on the thread belongs to that scope and is closed with it;
 * otherwise its creator closes it (try-with-resources). {@link #close()} is idempotent; a closed array
 * refuses every use with {@link IllegalStateException}, even while a view or a tensor still holds the
 * memory. With {@link LeakCheck} on, an array nobody closed is reported with the stack of its creation.
 *
 * <p>One rule for results: in-place methods ({@link #fill}, {@link #assign}) return this same object, for
 * chaining; every other method returns a new array the caller (or the scope) owns — never this one, even
 * when no copy is needed ({@link #ascontiguous()} of a contiguous array is a new view).
 *
 * <h2>Element access</h2>
 * {@link #getDouble} reads any dtype (complex: the real part), {@link #setDouble} writes with NumPy's
 * unsafe-cast semantics (see {@code Elements}: float to int truncates toward zero; NaN and out-of-range
 * values give the x86 "integer indefinite" result NumPy gives, e.g. NaN to int64 is Long.MIN_VALUE, NaN
 * to int32 Integer.MIN_VALUE, NaN to int8/int16/uint8/uint16 0).
 *
 * <p>Arrays are not thread-safe for concurrent writes to the same elements; reading from many threads is fine.
 */
public final class NDArray implements Scoped {
    private final NDBuffer buffer;
    private final DType dtype;
    private final long[] shape;
    private final long[] strides;
    private final long offset;
    private final boolean readOnly;
    private final boolean cContig;
    private final boolean fContig;
    private final long size;
    private final Lease lease;
    private final ScopeLink scopeLink;

    /**
     * An owned array's count of its buffer, released once: by close() — or, while operations are in flight on
     * other threads, by the last of them, so a close racing a call never frees memory under it — or, with leak
     * checking on, by the safety net that reports the array. Must not reference the array.
     */
    private static final class Lease implements Runnable {
        private static final int CLOSED = 1 << 30;
        final AtomicInteger state = new AtomicInteger();  // CLOSED bit + operations in flight
        final NDBuffer buffer;
        final Throwable creationSite;

        Lease(NDBuffer buffer, Throwable creationSite) {
            this.buffer = buffer;
            this.creationSite = creationSite;
        }

        boolean isClosed() {
            return (state.get() & CLOSED) != 0;
        }

        /** Starts an operation; false when the array was closed. */
        boolean enter() {
            while (true) {
                int s = state.get();
                if ((s & CLOSED) != 0) {
                    return false;
                }
                if (state.compareAndSet(s, s + 1)) {
                    return true;
                }
            }
        }

        void exit() {
            if (state.decrementAndGet() == CLOSED) {
                buffer.release();  // closed during the operation: the last one out releases
            }
        }

        /** Marks the lease closed; true on the first close. */
        boolean close() {
            while (true) {
                int s = state.get();
                if ((s & CLOSED) != 0) {
                    return false;
                }
                if (state.compareAndSet(s, s | CLOSED)) {
                    if (s == 0) {
                        buffer.release();
                    }
                    return true;
                }
            }
        }

        @Override
        public void run() {  // the Cleaner: the array became unreachable
            if (close()) {
                LeakCheck.reportLeak("an NDArray of " + buffer.byteSize() + " bytes", creationSite);
            }
        }
    }

    /**
     * {@code owns}: this array holds one count of {@code buffer} (the caller's, handed over) and joins the
     * current scope; otherwise it is a borrowed layout for internal use within one call, never handed out.
     */
    NDArray(NDBuffer buffer, DType dtype, long[] shape, long[] strides, long offset, boolean owns, boolean readOnly) {
        this.buffer = buffer;
        this.dtype = Shapes.arrayType(dtype);
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.readOnly = readOnly || buffer.isReadOnly();
        this.size = Shapes.size(shape);
        this.cContig = Shapes.isC(shape, strides, dtype.byteSize());
        this.fContig = Shapes.isF(shape, strides, dtype.byteSize());
        if (owns) {
            Throwable site = LeakCheck.creationSite();
            this.lease = new Lease(buffer, site);
            if (site != null) {
                LeakCheck.cleaner().register(this, lease);
            }
            this.scopeLink = ScopeLink.join(this);
        } else {
            this.lease = null;
            this.scopeLink = null;
        }
    }

    /** A view of this array's memory with another layout: a new array with its own count of the buffer. */
    NDArray view(long[] newShape, long[] newStrides, long newOffset) {
        return viewOf(dtype, newShape, newStrides, newOffset, readOnly);
    }

    private NDArray viewOf(DType newDtype, long[] newShape, long[] newStrides, long newOffset, boolean ro) {
        checkOpen();
        buffer.retain();
        try {
            return new NDArray(buffer, newDtype, newShape, newStrides, newOffset, true, ro);
        } catch (RuntimeException | Error e) {
            buffer.release();
            throw e;
        }
    }

    /**
     * The same memory with another layout, borrowed for use inside one operation while this array is open:
     * no count, no scope, nothing to close. Never returned to users.
     */
    NDArray borrow(long[] newShape, long[] newStrides, long newOffset) {
        return new NDArray(buffer, dtype, newShape, newStrides, newOffset, false, readOnly);
    }

    /** {@link #broadcastTo} borrowed for use inside one operation (see {@link #borrow}). */
    NDArray borrowBroadcast(long... target) {
        return shape.length == target.length && Arrays.equals(shape, target) ? this : broadcastView(target, true, false);
    }

    long[] shapeRef() {
        return shape;
    }

    long[] stridesRef() {
        return strides;
    }

    // =================================================================== factories

    /** A new owned, zero-filled, C-contiguous array. */
    public static NDArray zeros(DType dtype, long... shape) {
        Objects.requireNonNull(dtype, "dtype");
        long[] sh = shape.clone();
        NDBuffer buf = NDBuffer.allocate(Shapes.byteSize(sh, Shapes.arrayType(dtype)));
        return new NDArray(buf, dtype, sh, Strides.cOrder(sh, dtype.byteSize()), 0, true, false);
    }

    public static NDArray ones(DType dtype, long... shape) {
        return full(dtype, 1.0, shape);
    }

    /** A new owned array filled with {@code value} converted to {@code dtype} (unsafe cast). */
    public static NDArray full(DType dtype, double value, long... shape) {
        NDArray a = zeros(dtype, shape);
        if (value != 0 || Double.doubleToRawLongBits(value) != 0) {
            a.fill(value);
        }
        return a;
    }

    /** A new owned array; its contents are unspecified (currently zero-filled). */
    public static NDArray empty(DType dtype, long... shape) {
        return zeros(dtype, shape);
    }

    /**
     * A view over existing memory; strides are in BYTES (NumPy convention), offset in bytes from the start
     * of the buffer's segment. Validates that every reachable element lies inside the buffer. The result
     * owns one count of the buffer: the caller's own count, handed over, when {@code ownsBuffer}; else a new
     * one it takes. Either way closing the array releases that count.
     */
    public static NDArray wrap(NDBuffer buffer, DType dtype, long[] shape, long[] byteStrides, long byteOffset,
            boolean ownsBuffer) {
        Objects.requireNonNull(buffer, "buffer");
        if (!ownsBuffer) {
            buffer.retain();
        }
        try {
            long[] sh = shape.clone();
            long[] st = byteStrides.clone();
            checkInside(buffer, Objects.requireNonNull(dtype, "dtype"), sh, st, byteOffset);
            return new NDArray(buffer, dtype, sh, st, byteOffset, true, buffer.isReadOnly());
        } catch (RuntimeException | Error e) {
            buffer.release();  // ours either way now: a failed wrap leaves no count behind
            throw e;
        }
    }

    private static void checkInside(NDBuffer buffer, DType dtype, long[] sh, long[] st, long byteOffset) {
        if (sh.length != st.length) {
            throw new IllegalArgumentException("shape " + Shapes.str(sh) + " has " + sh.length
                    + " dimensions but strides " + Arrays.toString(st) + " have " + st.length);
        }
        long n = Shapes.size(sh);
        long cap = buffer.byteSize();
        if (byteOffset < 0) {
            throw new IllegalArgumentException("negative byte offset " + byteOffset);
        }
        if (n > 0) {
            long lo = byteOffset, hi = byteOffset;
            for (int i = 0; i < sh.length; i++) {
                long span = Math.multiplyExact(st[i], sh[i] - 1);
                if (span < 0) {
                    lo += span;
                } else {
                    hi += span;
                }
            }
            hi += dtype.byteSize();
            if (lo < 0 || hi > cap) {
                throw new IllegalArgumentException("array of shape " + Shapes.str(sh) + ", dtype " + dtype.numpyName()
                        + ", byte strides " + Arrays.toString(st) + " and byte offset " + byteOffset
                        + " reaches bytes [" + lo + ", " + hi + ") but the buffer holds " + cap + " bytes");
            }
        } else if (byteOffset > cap) {
            throw new IllegalArgumentException("byte offset " + byteOffset + " is past the end of the buffer ("
                    + cap + " bytes)");
        }
    }

    /**
     * A C-contiguous view over caller-managed memory ({@link NDBuffer#external}); the segment must hold at
     * least the array's bytes. Data is read and written little-endian. The memory is the caller's: closing the
     * array only ends its access, and the memory must outlive the array.
     */
    public static NDArray wrap(MemorySegment segment, DType dtype, long... shape) {
        long n = Shapes.size(shape);
        long need = n * dtype.byteSize();
        if (segment.byteSize() < need) {
            throw new IllegalArgumentException("segment of " + segment.byteSize() + " bytes is too small for shape "
                    + Shapes.str(shape) + " of " + dtype.numpyName() + " (" + need + " bytes)");
        }
        NDBuffer buf = NDBuffer.external(segment);
        return new NDArray(buf, dtype, shape.clone(), Strides.cOrder(shape, dtype.byteSize()), 0, true,
                segment.isReadOnly());
    }

    /**
     * A C-contiguous view over a direct ByteBuffer's bytes from its position to its limit. The data is always
     * interpreted little-endian, whatever {@link ByteBuffer#order()} says. Read-only buffers give read-only
     * arrays. The ByteBuffer is kept reachable by the array; closing the array ends its access.
     */
    public static NDArray wrap(ByteBuffer direct, DType dtype, long... shape) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("only direct ByteBuffers can be wrapped (use ByteBuffer.allocateDirect"
                    + " or NDArray.of(...) to copy heap data)");
        }
        return wrap(MemorySegment.ofBuffer(direct), dtype, shape);
    }

    private static long[] shapeFor(int length, long[] shape) {
        long[] sh = shape.length == 0 ? new long[] {length} : shape.clone();
        if (Shapes.size(sh) != length) {
            throw new IllegalArgumentException("cannot make an array of shape " + Shapes.str(sh) + " ("
                    + Shapes.size(sh) + " elements) from " + length + " values");
        }
        return sh;
    }

    /** A new FLOAT32 array holding a copy of {@code data}; shape omitted means 1-D. */
    public static NDArray of(float[] data, long... shape) {
        return copyOf(data, F32, DType.FLOAT32, data.length, shape);
    }

    public static NDArray of(double[] data, long... shape) {
        return copyOf(data, F64, DType.FLOAT64, data.length, shape);
    }

    public static NDArray of(int[] data, long... shape) {
        return copyOf(data, I32, DType.INT32, data.length, shape);
    }

    public static NDArray of(long[] data, long... shape) {
        return copyOf(data, I64, DType.INT64, data.length, shape);
    }

    public static NDArray of(short[] data, long... shape) {
        return copyOf(data, I16, DType.INT16, data.length, shape);
    }

    /** A new INT8 array. */
    public static NDArray of(byte[] data, long... shape) {
        return copyOf(data, I8, DType.INT8, data.length, shape);
    }

    // One copy from a Java array into a new C-contiguous array (layout: the element as stored, little-endian).
    private static NDArray copyOf(Object javaArray, java.lang.foreign.ValueLayout layout, DType dtype, int length,
                                  long[] shape) {
        NDArray a = empty(dtype, shapeFor(length, shape));
        MemorySegment.copy(javaArray, 0, a.buffer().memory(), layout, 0, length);
        return a;
    }

    public static NDArray of(boolean[] data, long... shape) {
        NDArray a = zeros(DType.BOOL, shapeFor(data.length, shape));
        MemorySegment s = a.buffer().memory();
        for (int i = 0; i < data.length; i++) {
            s.set(I8, i, (byte) (data[i] ? 1 : 0));
        }
        return a;
    }

    /** A 0-d array (shape {@code ()}). */
    public static NDArray scalar(DType dtype, double value) {
        return full(dtype, value);
    }

    // =================================================================== metadata

    public NDBuffer buffer() {
        checkOpen();
        return buffer;
    }

    public DType dtype() {
        return dtype;
    }

    public int ndim() {
        return shape.length;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** Length of {@code axis} (negative counts from the end). */
    public long shape(int axis) {
        return shape[Shapes.axis(axis, shape.length)];
    }

    /** Byte strides (a copy). */
    public long[] strides() {
        return strides.clone();
    }

    public long byteOffset() {
        return offset;
    }

    public long size() {
        return size;
    }

    public long nbytes() {
        return size * dtype.byteSize();
    }

    public long itemSize() {
        return dtype.byteSize();
    }

    /** NumPy's C_CONTIGUOUS flag (length-1 axes ignored; empty arrays are contiguous). */
    public boolean isCContiguous() {
        return cContig;
    }

    public boolean isFContiguous() {
        return fContig;
    }

    public boolean isReadOnly() {
        return readOnly;
    }

    /** Whether this array owns a count of its buffer (closing it releases the count). */
    public boolean ownsBuffer() {
        return lease != null;
    }

    /** Whether the memory is still alive (not freed). */
    public boolean isAlive() {
        return buffer.isAlive();
    }

    /**
     * The bytes this array can reach, from its lowest- to its highest-addressed element. For C-contiguous
     * arrays this is exactly {@link #nbytes()} long and starts at the first element. Read-only for read-only
     * arrays. Empty arrays give an empty segment.
     */
    public MemorySegment segment() {
        MemorySegment s = buffer().segment();
        long lo = offset, hi = offset;
        if (size == 0) {
            s = s.asSlice(Math.min(offset, s.byteSize()), 0);
        } else {
            for (int i = 0; i < shape.length; i++) {
                long span = strides[i] * (shape[i] - 1);
                if (span < 0) {
                    lo += span;
                } else {
                    hi += span;
                }
            }
            s = s.asSlice(lo, hi + dtype.byteSize() - lo);
        }
        return readOnly ? s.asReadOnly() : s;
    }

    /** The element address range start relative to {@link #segment()}: offset of element (0,...,0) in it. */
    public long firstElementOffsetInSegment() {
        long lo = offset;
        for (int i = 0; i < shape.length; i++) {
            if (strides[i] < 0 && shape[i] > 0) {
                lo += strides[i] * (shape[i] - 1);
            }
        }
        return offset - lo;
    }

    /**
     * The same bytes reinterpreted as another dtype of the same item size (NumPy's {@code a.view(dtype)}),
     * e.g. bfloat16 as uint16. A view (not owned).
     */
    public NDArray viewAs(DType other) {
        if (other.byteSize() != dtype.byteSize()) {
            throw new IllegalArgumentException("viewAs needs a dtype of the same item size: " + dtype.numpyName()
                    + " has " + dtype.byteSize() + " bytes, " + other.numpyName() + " has " + other.byteSize());
        }
        return viewOf(other, shape, strides, offset, readOnly);
    }

    /** A view that refuses writes (UnsupportedOperationException). */
    public NDArray asReadOnly() {
        return viewOf(dtype, shape, strides, offset, true);
    }

    // =================================================================== element access

    long offsetOf(long[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("expected " + shape.length + " indices for array of shape "
                    + Shapes.str(shape) + ", got " + index.length);
        }
        long off = offset;
        for (int k = 0; k < index.length; k++) {
            long i = index[k];
            long n = shape[k];
            if (i < 0) {
                i += n;
            }
            if (i < 0 || i >= n) {
                throw new IndexOutOfBoundsException("index " + index[k] + " is out of bounds for axis " + k
                        + " with size " + n);
            }
            off += i * strides[k];
        }
        return off;
    }

    void checkWritable() {
        if (readOnly) {
            throw new UnsupportedOperationException("array is read-only (a read-only view, a broadcast view or"
                    + " read-only memory); copy() it to get a writable array");
        }
    }

    /** The element as double (complex: the real part; uint64 rounded; bool 0/1). */
    public double getDouble(long... index) {
        return pinned(() -> Elements.getDouble(buffer().memory(), offsetOf(index), dtype));
    }

    /** The element as long (integers exactly, uint64 as its bit pattern; floats truncated toward zero). */
    public long getLong(long... index) {
        return pinned(() -> Elements.getLong(buffer().memory(), offsetOf(index), dtype));
    }

    /** The element's truth value (non-zero; NaN is true). */
    public boolean getBoolean(long... index) {
        return pinned(() -> Elements.getBoolean(buffer().memory(), offsetOf(index), dtype));
    }

    /** Imaginary part of a complex element (0 for real dtypes). */
    public double getImag(long... index) {
        return pinned(() -> Elements.getImag(buffer().memory(), offsetOf(index), dtype));
    }

    /** Writes {@code v} converted to the dtype (NumPy unsafe cast). */
    public void setDouble(double v, long... index) {
        checkWritable();
        pinned(() -> {
            Elements.setDouble(buffer().memory(), offsetOf(index), dtype, v);
            return null;
        });
    }

    /**
     * Writes the complex number {@code re + im·j} into a complex element (complex64 rounds both parts to float);
     * other dtypes take the real part, as NumPy's unsafe cast from complex does.
     */
    public void setComplex(double re, double im, long... index) {
        checkWritable();
        pinned(() -> {
            Elements.setComplex(buffer().memory(), offsetOf(index), dtype, re, im);
            return null;
        });
    }

    /** Writes {@code v}: integer dtypes keep its low bits, float dtypes get the rounded value. */
    public void setLong(long v, long... index) {
        checkWritable();
        pinned(() -> {
            Elements.setLong(buffer().memory(), offsetOf(index), dtype, v);
            return null;
        });
    }

    public void setBoolean(boolean v, long... index) {
        setLong(v ? 1 : 0, index);
    }

    /** Sets every element to {@code value} (converted to the dtype). */
    public NDArray fill(double value) {
        checkWritable();
        return pinned(() -> fillUnpinned(value));
    }

    private NDArray fillUnpinned(double value) {
        if (size == 0) {
            return this;
        }
        MemorySegment s = buffer().memory();
        if (cContig) {
            MemorySegment seg = s.asSlice(offset, nbytes());
            switch (dtype) {
                case FLOAT32 -> {
                    float f = (float) value;
                    Copier.chunked(size, nbytes(), (a, b) -> {
                        for (long i = a; i < b; i++) {
                            seg.setAtIndex(F32, i, f);
                        }
                    });
                    return this;
                }
                case FLOAT64 -> {
                    Copier.chunked(size, nbytes(), (a, b) -> {
                        for (long i = a; i < b; i++) {
                            seg.setAtIndex(F64, i, value);
                        }
                    });
                    return this;
                }
                default -> {
                    // write one element then replicate its bytes
                    Elements.setDouble(seg, 0, dtype, value);
                    if (dtype.byteSize() == 1) {
                        seg.fill(seg.get(I8, 0));
                        return this;
                    }
                    long filled = dtype.byteSize();
                    long total = nbytes();
                    while (filled < total) {
                        long chunk = Math.min(filled, total - filled);
                        MemorySegment.copy(seg, 0, seg, filled, chunk);
                        filled += chunk;
                    }
                    return this;
                }
            }
        }
        NdIter.forEachRow(shape, new long[][] {strides}, new long[] {offset}, (offs, n, inner) -> {
            for (long i = 0; i < n; i++) {
                Elements.setDouble(s, offs[0] + i * inner[0], dtype, value);
            }
        });
        return this;
    }

    // =================================================================== bulk copy out

    private void requireDtype(DType t, String method) {
        if (dtype != t) {
            throw new IllegalArgumentException(method + "() needs a " + t.numpyName() + " array but this one is "
                    + dtype.numpyName() + "; convert with astype(DType." + t + ") first");
        }
    }

    private int javaLength() {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("array of " + size + " elements does not fit a Java array");
        }
        return (int) size;
    }

    private <A> A copyOut(A arr, ValueLayout layout) {
        int n = javaLength();
        if (n == 0) {
            return arr;
        }
        MemorySegment s = buffer().memory();
        if (cContig) {
            MemorySegment.copy(s, layout, offset, arr, 0, n);
        } else {
            int[] pos = {0};
            NdIter.forEachRow(shape, new long[][] {strides}, new long[] {offset}, (offs, cnt, inner) -> {
                for (long i = 0; i < cnt; i++) {
                    MemorySegment.copy(s, layout, offs[0] + i * inner[0], arr, pos[0]++, 1);
                }
            });
        }
        return arr;
    }

    public float[] toFloatArray() {
        return pinned(this::toFloatArrayUnpinned);
    }

    private float[] toFloatArrayUnpinned() {
        requireDtype(DType.FLOAT32, "toFloatArray");
        return copyOut(new float[javaLength()], F32);
    }

    /** Values of any real dtype converted to double, in C order. */
    public double[] toDoubleArray() {
        return pinned(this::toDoubleArrayUnpinned);
    }

    private double[] toDoubleArrayUnpinned() {
        if (dtype.isComplex()) {
            throw new IllegalArgumentException("toDoubleArray() does not take complex arrays (" + dtype.numpyName()
                    + "); take the real part explicitly with getDouble or astype(FLOAT64)");
        }
        if (dtype == DType.FLOAT64) {
            return copyOut(new double[javaLength()], F64);
        }
        double[] out = new double[javaLength()];
        MemorySegment s = buffer().memory();
        int[] pos = {0};
        NdIter.forEachRow(shape, new long[][] {strides}, new long[] {offset}, (offs, cnt, inner) -> {
            for (long i = 0; i < cnt; i++) {
                out[pos[0]++] = Elements.getDouble(s, offs[0] + i * inner[0], dtype);
            }
        });
        return out;
    }

    public int[] toIntArray() {
        return pinned(this::toIntArrayUnpinned);
    }

    private int[] toIntArrayUnpinned() {
        requireDtype(DType.INT32, "toIntArray");
        return copyOut(new int[javaLength()], I32);
    }

    public long[] toLongArray() {
        return pinned(this::toLongArrayUnpinned);
    }

    private long[] toLongArrayUnpinned() {
        requireDtype(DType.INT64, "toLongArray");
        return copyOut(new long[javaLength()], I64);
    }

    public short[] toShortArray() {
        return pinned(this::toShortArrayUnpinned);
    }

    private short[] toShortArrayUnpinned() {
        requireDtype(DType.INT16, "toShortArray");
        return copyOut(new short[javaLength()], I16);
    }

    /** INT8 (or UINT8: raw bytes) values. */
    public byte[] toByteArray() {
        return pinned(this::toByteArrayUnpinned);
    }

    private byte[] toByteArrayUnpinned() {
        if (dtype != DType.UINT8) {
            requireDtype(DType.INT8, "toByteArray");
        }
        return copyOut(new byte[javaLength()], I8);
    }

    public boolean[] toBooleanArray() {
        return pinned(this::toBooleanArrayUnpinned);
    }

    private boolean[] toBooleanArrayUnpinned() {
        requireDtype(DType.BOOL, "toBooleanArray");
        byte[] b = copyOut(new byte[javaLength()], I8);
        boolean[] out = new boolean[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] != 0;
        }
        return out;
    }

    // =================================================================== views

    /** Start, step and length of a NumPy slice on an axis of length {@code len} (PySlice_AdjustIndices). */
    static long[] adjustSlice(Long start, Long stop, Long step, long len) {
        long st = step == null ? 1 : step;
        if (st == 0) {
            throw new IllegalArgumentException("slice step cannot be zero");
        }
        long a;
        long b;
        if (start == null) {
            a = st < 0 ? len - 1 : 0;
        } else {
            a = start;
            if (a < 0) {
                a += len;
                if (a < 0) {
                    a = st < 0 ? -1 : 0;
                }
            } else if (a >= len) {
                a = st < 0 ? len - 1 : len;
            }
        }
        if (stop == null) {
            b = st < 0 ? -1 : len;
        } else {
            b = stop;
            if (b < 0) {
                b += len;
                if (b < 0) {
                    b = st < 0 ? -1 : 0;
                }
            } else if (b >= len) {
                b = st < 0 ? len - 1 : len;
            }
        }
        long n;
        if (st < 0) {
            n = b < a ? (a - b - 1) / (-st) + 1 : 0;
        } else {
            n = a < b ? (b - a - 1) / st + 1 : 0;
        }
        return new long[] {a, st, n};
    }

    /**
     * {@code a[..., start:stop:step, ...]} on {@code axis}, NumPy semantics including negative steps and
     * clamping. Use {@code Long.MAX_VALUE}/{@code Long.MIN_VALUE} for an omitted bound (e.g.
     * {@code slice(0, Long.MAX_VALUE, Long.MIN_VALUE, -1)} reverses axis 0), or {@link #get(Index...)} with nulls.
     */
    public NDArray slice(int axis, long start, long stop, long step) {
        return sliceAxis(Shapes.axis(axis, shape.length), start, stop, step);
    }

    private NDArray sliceAxis(int ax, Long start, Long stop, Long step) {
        long[] r = adjustSlice(start, stop, step, shape[ax]);
        long[] sh = shape.clone();
        long[] st = strides.clone();
        sh[ax] = r[2];
        st[ax] = strides[ax] * r[1];
        long off = r[2] > 0 ? offset + r[0] * strides[ax] : offset;
        return view(sh, st, off);
    }

    /** NumPy basic indexing: integers, slices, newAxis and one ellipsis. Always a view. */
    public NDArray get(Index... indices) {
        int consumed = 0;
        int ellipses = 0;
        for (Index ix : indices) {
            switch (ix.kind) {
                case AT, SLICE -> consumed++;
                case ELLIPSIS -> ellipses++;
                default -> {
                }
            }
        }
        if (ellipses > 1) {
            throw new IllegalArgumentException("an index can only have a single ellipsis ('...')");
        }
        if (consumed > shape.length) {
            throw new IndexOutOfBoundsException("too many indices for array: array is " + shape.length
                    + "-dimensional, but " + consumed + " were indexed");
        }
        List<Long> sh = new ArrayList<>();
        List<Long> st = new ArrayList<>();
        long off = offset;
        int axis = 0;
        boolean sawEllipsis = false;
        for (Index ix : indices) {
            switch (ix.kind) {
                case AT -> {
                    long i = ix.at;
                    long n = shape[axis];
                    long j = i < 0 ? i + n : i;
                    if (j < 0 || j >= n) {
                        throw new IndexOutOfBoundsException("index " + i + " is out of bounds for axis " + axis
                                + " with size " + n);
                    }
                    off += j * strides[axis];
                    axis++;
                }
                case SLICE -> {
                    long[] r = adjustSlice(ix.start, ix.stop, ix.step, shape[axis]);
                    if (r[2] > 0) {
                        off += r[0] * strides[axis];
                    }
                    sh.add(r[2]);
                    st.add(strides[axis] * r[1]);
                    axis++;
                }
                case NEW_AXIS -> {
                    sh.add(1L);
                    st.add(0L);
                }
                case ELLIPSIS -> {
                    sawEllipsis = true;
                    int take = shape.length - consumed;
                    for (int k = 0; k < take; k++) {
                        sh.add(shape[axis]);
                        st.add(strides[axis]);
                        axis++;
                    }
                }
            }
        }
        assert sawEllipsis || axis <= shape.length;
        while (axis < shape.length) {
            sh.add(shape[axis]);
            st.add(strides[axis]);
            axis++;
        }
        return view(sh.stream().mapToLong(Long::longValue).toArray(), st.stream().mapToLong(Long::longValue).toArray(),
                off);
    }

    /** {@code a[..., index, ...]} on {@code axis}: drops the axis. */
    public NDArray select(int axis, long index) {
        int ax = Shapes.axis(axis, shape.length);
        long n = shape[ax];
        long j = index < 0 ? index + n : index;
        if (j < 0 || j >= n) {
            throw new IndexOutOfBoundsException("index " + index + " is out of bounds for axis " + ax + " with size " + n);
        }
        return view(remove(shape, ax), remove(strides, ax), offset + j * strides[ax]);
    }

    private static long[] remove(long[] a, int i) {
        long[] r = new long[a.length - 1];
        System.arraycopy(a, 0, r, 0, i);
        System.arraycopy(a, i + 1, r, i, a.length - i - 1);
        return r;
    }

    private static long[] insert(long[] a, int i, long v) {
        long[] r = new long[a.length + 1];
        System.arraycopy(a, 0, r, 0, i);
        r[i] = v;
        System.arraycopy(a, i, r, i + 1, a.length - i);
        return r;
    }

    /** Reverses the axes. */
    public NDArray transpose() {
        int nd = shape.length;
        int[] axes = new int[nd];
        for (int i = 0; i < nd; i++) {
            axes[i] = nd - 1 - i;
        }
        return permute(axes);
    }

    public NDArray transpose(int... axes) {
        return permute(axes);
    }

    /** Axis {@code i} of the result is axis {@code axes[i]} of this array. */
    public NDArray permute(int... axes) {
        int nd = shape.length;
        if (axes.length != nd) {
            throw new IllegalArgumentException("axes " + Arrays.toString(axes) + " don't match array of dimension " + nd);
        }
        boolean[] seen = new boolean[nd];
        long[] sh = new long[nd];
        long[] st = new long[nd];
        for (int i = 0; i < nd; i++) {
            int a = Shapes.axis(axes[i], nd);
            if (seen[a]) {
                throw new IllegalArgumentException("repeated axis " + axes[i] + " in transpose " + Arrays.toString(axes));
            }
            seen[a] = true;
            sh[i] = shape[a];
            st[i] = strides[a];
        }
        return view(sh, st, offset);
    }

    public NDArray swapaxes(int a, int b) {
        int nd = shape.length;
        int x = Shapes.axis(a, nd);
        int y = Shapes.axis(b, nd);
        int[] axes = new int[nd];
        for (int i = 0; i < nd; i++) {
            axes[i] = i;
        }
        axes[x] = y;
        axes[y] = x;
        return permute(axes);
    }

    /** Removes all length-1 axes. */
    public NDArray squeeze() {
        int keep = 0;
        for (long d : shape) {
            if (d != 1) {
                keep++;
            }
        }
        long[] sh = new long[keep];
        long[] st = new long[keep];
        int j = 0;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] != 1) {
                sh[j] = shape[i];
                st[j++] = strides[i];
            }
        }
        return view(sh, st, offset);
    }

    public NDArray squeeze(int axis) {
        int ax = Shapes.axis(axis, shape.length);
        if (shape[ax] != 1) {
            throw new IllegalArgumentException("cannot select an axis to squeeze out which has size not equal to one"
                    + " (axis " + axis + " of shape " + Shapes.str(shape) + ")");
        }
        return view(remove(shape, ax), remove(strides, ax), offset);
    }

    /** Inserts a length-1 axis at {@code axis} (in the result's numbering; negative allowed, like expand_dims). */
    public NDArray unsqueeze(int axis) {
        int ax = Shapes.axis(axis, shape.length + 1);
        long st = ax < shape.length ? strides[ax] * shape[ax] : dtype.byteSize();
        return view(insert(shape, ax, 1), insert(strides, ax, st), offset);
    }

    private NDArray broadcastView(long[] target, boolean ro, boolean owned) {
        int nd = target.length;
        if (nd < shape.length) {
            throw new IllegalArgumentException("cannot broadcast array of shape " + Shapes.str(shape)
                    + " to shape " + Shapes.str(target) + " with fewer dimensions");
        }
        long[] sh = target.clone();
        long[] st = new long[nd];
        int lead = nd - shape.length;
        for (int i = 0; i < nd; i++) {
            if (sh[i] < 0) {
                throw new IllegalArgumentException("negative dimension in broadcast shape " + Shapes.str(target));
            }
            if (i < lead) {
                st[i] = 0;
                continue;
            }
            long d = shape[i - lead];
            if (d == sh[i]) {
                st[i] = strides[i - lead];
            } else if (d == 1) {
                st[i] = 0;
            } else {
                throw new IllegalArgumentException("operands could not be broadcast: array of shape "
                        + Shapes.str(shape) + " cannot be broadcast to shape " + Shapes.str(target)
                        + " (axis " + (i - lead) + " has length " + d + ", not 1 or " + sh[i] + ")");
            }
        }
        return owned ? viewOf(dtype, sh, st, offset, ro || readOnly) : new NDArray(buffer, dtype, sh, st, offset, false,
                ro || readOnly);
    }

    /** NumPy's broadcast_to: a read-only view with zero strides on the broadcast axes. */
    public NDArray broadcastTo(long... shape) {
        return broadcastView(shape, true, true);
    }

    /** PyTorch's expand: like {@link #broadcastTo} but writable (writes alias across broadcast axes). */
    public NDArray expand(long... shape) {
        return broadcastView(shape, false, true);
    }

    /**
     * A view with the new shape when the layout allows (NumPy's rule, {@code _attempt_nocopy_reshape}), else
     * a new C-contiguous owned copy. One dimension may be -1 (inferred).
     */
    public NDArray reshape(long... newShape) {
        long[] sh = Shapes.resolveShape(newShape, size);
        NDArray v = tryView(sh);
        return v != null ? v : copyAs(sh);
    }

    private NDArray tryView(long[] sh) {
        if (cContig) {
            return view(sh, Strides.cOrder(sh, dtype.byteSize()), offset);
        }
        long[] st = Shapes.nocopyReshape(shape, strides, sh, dtype.byteSize());
        return st == null ? null : view(sh, st, offset);
    }

    /** A view with the new shape, or IllegalArgumentException if that needs a copy. */
    public NDArray view(long... newShape) {
        long[] sh = Shapes.resolveShape(newShape, size);
        NDArray v = tryView(sh);
        if (v == null) {
            throw new IllegalArgumentException("cannot view array of shape " + Shapes.str(shape) + " with strides "
                    + Arrays.toString(strides) + " as shape " + Shapes.str(sh)
                    + " without copying; call reshape(...) (copies when needed) or copy() first");
        }
        return v;
    }

    /** A 1-D copy (always a new owned array). */
    public NDArray flatten() {
        return copyAs(new long[] {size});
    }

    /** A 1-D view when possible, else a copy. */
    public NDArray ravel() {
        return reshape(size);
    }

    private NDArray copyAs(long[] sh) {
        checkOpen();
        return filled(empty(dtype, sh), out -> pinned(() -> {
            Copier.copy(this, out.borrow(shape.clone(), Strides.cOrder(shape, dtype.byteSize()), 0));
            return null;
        }));
    }

    /**
     * {@code out}, a fresh result, after {@code fill} wrote it; closed when filling fails, so a failed
     * operation leaves nothing behind.
     */
    static NDArray filled(NDArray out, java.util.function.Consumer<NDArray> fill) {
        try {
            fill.accept(out);
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    /** A new owned C-contiguous copy. */
    public NDArray copy() {
        checkOpen();
        return filled(Kernels.newOutput(dtype, shape), out -> pinned(() -> {  // C order; large results pooled
            Copier.copy(this, out);
            return null;
        }));
    }

    /** A C-contiguous array with these values: a new view when this one is C-contiguous (no copy), else a copy. */
    public NDArray ascontiguous() {
        return cContig ? view(shape, strides, offset) : copy();
    }

    /**
     * A new C-contiguous owned array of {@code target} with NumPy unsafe-cast semantics: float to int
     * truncates toward zero (NaN/out of range as described in the class doc), float16/bfloat16 round to
     * nearest even, complex to real drops the imaginary part, to bool is {@code != 0}.
     */
    public NDArray astype(DType target) {
        checkOpen();
        return filled(Kernels.newOutput(target, shape, this), out -> pinned(() -> {  // NumPy's order 'K'
            Copier.copy(this, out);
            return null;
        }));
    }

    /** Copies {@code src} (broadcast to this shape, converted to this dtype) into this array. */
    public NDArray assign(NDArray src) {
        checkWritable();
        if (src.buffer() == buffer) {
            // the same memory (a.assign(a.T), a[1:] = a[:-1]): read it all before writing, as NumPy does
            try (NDArray before = src.copy()) {
                return assign(before);
            }
        }
        pinned(new NDArray[] {src, this}, () -> {
            Copier.copy(src.borrowBroadcast(shape), this);
            return null;
        });
        return this;
    }

    /** The value of a one-element array (any shape), as double. */
    public double item() {
        if (size != 1) {
            throw new IllegalArgumentException("item() needs an array of size 1, this one has shape " + Shapes.str(shape)
                    + " (" + size + " elements)");
        }
        return pinned(this::getDoubleFlat);
    }

    private double getDoubleFlat() {
        return Elements.getDouble(buffer().memory(), offset, dtype);
    }

    // =================================================================== elementwise ops (new owned arrays)

    private static final ElementwiseKernels.BinOp ADD = ElementwiseKernels.BinOp.ADD;

    public NDArray add(NDArray other) {
        return ElementwiseKernels.binary(this, other, ADD);
    }

    public NDArray sub(NDArray other) {
        return ElementwiseKernels.binary(this, other, ElementwiseKernels.BinOp.SUB);
    }

    public NDArray mul(NDArray other) {
        return ElementwiseKernels.binary(this, other, ElementwiseKernels.BinOp.MUL);
    }

    /** True division: integer and bool operands give float64. */
    public NDArray div(NDArray other) {
        return ElementwiseKernels.binary(this, other, ElementwiseKernels.BinOp.DIV);
    }

    public NDArray pow(NDArray other) {
        return ElementwiseKernels.binary(this, other, ElementwiseKernels.BinOp.POW);
    }

    /** Elementwise minimum (NaN propagates). */
    public NDArray minimum(NDArray other) {
        return ElementwiseKernels.binary(this, other, ElementwiseKernels.BinOp.MIN);
    }

    public NDArray maximum(NDArray other) {
        return ElementwiseKernels.binary(this, other, ElementwiseKernels.BinOp.MAX);
    }

    // scalars: a double is a (weak) Python float, a long a (weak) Python int — NumPy 2 / NEP 50

    public NDArray add(double s) {
        return ElementwiseKernels.binaryScalar(this, s, ADD, false);
    }

    public NDArray add(long s) {
        return ElementwiseKernels.binaryScalar(this, s, ADD, false);
    }

    public NDArray sub(double s) {
        return ElementwiseKernels.binaryScalar(this, s, ElementwiseKernels.BinOp.SUB, false);
    }

    public NDArray sub(long s) {
        return ElementwiseKernels.binaryScalar(this, s, ElementwiseKernels.BinOp.SUB, false);
    }

    /** {@code s - this}. */
    public NDArray rsub(double s) {
        return ElementwiseKernels.binaryScalar(this, s, ElementwiseKernels.BinOp.SUB, true);
    }

    public NDArray mul(double s) {
        return ElementwiseKernels.binaryScalar(this, s, ElementwiseKernels.BinOp.MUL, false);
    }

    public NDArray mul(long s) {
        return ElementwiseKernels.binaryScalar(this, s, ElementwiseKernels.BinOp.MUL, false);
    }

    public NDArray div(double s) {
        return ElementwiseKernels.binaryScalar(this, s, ElementwiseKernels.BinOp.DIV, false);
    }

    public NDArray div(long s) {
        return ElementwiseKernels.binaryScalar(this, s, ElementwiseKernels.BinOp.DIV, false);
    }

    /** {@code s / this}. */
    public NDArray rdiv(double s) {
        return ElementwiseKernels.binaryScalar(this, s, ElementwiseKernels.BinOp.DIV, true);
    }

    public NDArray pow(double s) {
        return ElementwiseKernels.binaryScalar(this, s, ElementwiseKernels.BinOp.POW, false);
    }

    public NDArray pow(long s) {
        return ElementwiseKernels.binaryScalar(this, s, ElementwiseKernels.BinOp.POW, false);
    }

    public NDArray minimum(double s) {
        return ElementwiseKernels.binaryScalar(this, s, ElementwiseKernels.BinOp.MIN, false);
    }

    public NDArray maximum(double s) {
        return ElementwiseKernels.binaryScalar(this, s, ElementwiseKernels.BinOp.MAX, false);
    }

    /** {@code np.clip(a, lo, hi)} with Python-float bounds: {@code minimum(maximum(a, lo), hi)}. */
    public NDArray clip(double lo, double hi) {
        try (NDArray t = maximum(lo)) {
            return t.minimum(hi);
        }
    }

    public NDArray abs() {
        return ElementwiseKernels.unary(this, ElementwiseKernels.UnOp.ABS);
    }

    public NDArray neg() {
        return ElementwiseKernels.unary(this, ElementwiseKernels.UnOp.NEG);
    }

    /** Square root; bool/integers give the smallest float holding them (int8 -> float16, as NumPy). */
    public NDArray sqrt() {
        return ElementwiseKernels.unary(this, ElementwiseKernels.UnOp.SQRT);
    }

    public NDArray exp() {
        return ElementwiseKernels.unary(this, ElementwiseKernels.UnOp.EXP);
    }

    public NDArray log() {
        return ElementwiseKernels.unary(this, ElementwiseKernels.UnOp.LOG);
    }

    /** {@code np.round(a)}: to the nearest integer, halves to even; integer and bool arrays keep their values. */
    public NDArray round() {
        return ElementwiseKernels.unary(this, ElementwiseKernels.UnOp.RINT);
    }

    /** {@code np.where(this, x, y)}: this array is the condition (non-zero is true). */
    public NDArray where(NDArray x, NDArray y) {
        return ElementwiseKernels.where(this, x, y);
    }

    // comparisons -> BOOL

    public NDArray eq(NDArray o) {
        return ElementwiseKernels.compare(this, o, ElementwiseKernels.CmpOp.EQ);
    }

    public NDArray ne(NDArray o) {
        return ElementwiseKernels.compare(this, o, ElementwiseKernels.CmpOp.NE);
    }

    public NDArray lt(NDArray o) {
        return ElementwiseKernels.compare(this, o, ElementwiseKernels.CmpOp.LT);
    }

    public NDArray le(NDArray o) {
        return ElementwiseKernels.compare(this, o, ElementwiseKernels.CmpOp.LE);
    }

    public NDArray gt(NDArray o) {
        return ElementwiseKernels.compare(this, o, ElementwiseKernels.CmpOp.GT);
    }

    public NDArray ge(NDArray o) {
        return ElementwiseKernels.compare(this, o, ElementwiseKernels.CmpOp.GE);
    }

    public NDArray eq(double s) {
        return ElementwiseKernels.compareScalar(this, s, ElementwiseKernels.CmpOp.EQ);
    }

    public NDArray ne(double s) {
        return ElementwiseKernels.compareScalar(this, s, ElementwiseKernels.CmpOp.NE);
    }

    public NDArray lt(double s) {
        return ElementwiseKernels.compareScalar(this, s, ElementwiseKernels.CmpOp.LT);
    }

    public NDArray le(double s) {
        return ElementwiseKernels.compareScalar(this, s, ElementwiseKernels.CmpOp.LE);
    }

    public NDArray gt(double s) {
        return ElementwiseKernels.compareScalar(this, s, ElementwiseKernels.CmpOp.GT);
    }

    public NDArray ge(double s) {
        return ElementwiseKernels.compareScalar(this, s, ElementwiseKernels.CmpOp.GE);
    }

    public NDArray eq(long s) {
        return ElementwiseKernels.compareScalar(this, s, ElementwiseKernels.CmpOp.EQ);
    }

    public NDArray lt(long s) {
        return ElementwiseKernels.compareScalar(this, s, ElementwiseKernels.CmpOp.LT);
    }

    public NDArray gt(long s) {
        return ElementwiseKernels.compareScalar(this, s, ElementwiseKernels.CmpOp.GT);
    }

    // =================================================================== reductions (new owned arrays)

    /** Sum over {@code axes} (none = all); NumPy result dtypes (ints -> int64, unsigned -> uint64). */
    public NDArray sum(int... axes) {
        return Reductions.reduce(this, axes, false, Reductions.Kind.SUM, 0);
    }

    public NDArray sum(int[] axes, boolean keepdims) {
        return Reductions.reduce(this, axes, keepdims, Reductions.Kind.SUM, 0);
    }

    public NDArray mean(int... axes) {
        return Reductions.reduce(this, axes, false, Reductions.Kind.MEAN, 0);
    }

    public NDArray mean(int[] axes, boolean keepdims) {
        return Reductions.reduce(this, axes, keepdims, Reductions.Kind.MEAN, 0);
    }

    /** Variance with ddof 0. */
    public NDArray var(int... axes) {
        return Reductions.reduce(this, axes, false, Reductions.Kind.VAR, 0);
    }

    public NDArray var(int[] axes, int ddof, boolean keepdims) {
        return Reductions.reduce(this, axes, keepdims, Reductions.Kind.VAR, ddof);
    }

    /** Standard deviation with ddof 0. */
    public NDArray std(int... axes) {
        return Reductions.reduce(this, axes, false, Reductions.Kind.STD, 0);
    }

    public NDArray std(int[] axes, int ddof, boolean keepdims) {
        return Reductions.reduce(this, axes, keepdims, Reductions.Kind.STD, ddof);
    }

    public NDArray min(int... axes) {
        return Reductions.reduce(this, axes, false, Reductions.Kind.MIN, 0);
    }

    public NDArray min(int[] axes, boolean keepdims) {
        return Reductions.reduce(this, axes, keepdims, Reductions.Kind.MIN, 0);
    }

    public NDArray max(int... axes) {
        return Reductions.reduce(this, axes, false, Reductions.Kind.MAX, 0);
    }

    public NDArray max(int[] axes, boolean keepdims) {
        return Reductions.reduce(this, axes, keepdims, Reductions.Kind.MAX, 0);
    }

    /** {@code np.any(a, axis)}: whether any element along {@code axes} (none = all) is non-zero (NaN counts); bool. */
    public NDArray any(int... axes) {
        try (NDArray nz = ne(0.0)) {
            return nz.max(axes);
        }
    }

    /** {@code np.all(a, axis)}: whether every element along {@code axes} (none = all) is non-zero; bool. */
    public NDArray all(int... axes) {
        try (NDArray nz = ne(0.0)) {
            return nz.min(axes);
        }
    }

    /** Index of the maximum of the flattened array (int64 0-d). */
    public NDArray argmax() {
        return Reductions.reduce(this.ravelView(), null, false, Reductions.Kind.ARGMAX, 0);
    }

    public NDArray argmax(int axis) {
        return argmax(axis, false);
    }

    public NDArray argmax(int axis, boolean keepdims) {
        return Reductions.reduce(this, new int[] {axis}, keepdims, Reductions.Kind.ARGMAX, 0);
    }

    public NDArray argmin() {
        return Reductions.reduce(this.ravelView(), null, false, Reductions.Kind.ARGMIN, 0);
    }

    public NDArray argmin(int axis) {
        return Reductions.reduce(this, new int[] {axis}, false, Reductions.Kind.ARGMIN, 0);
    }

    /** Reduction over all axes iterates in C order, so argmax over all axes is the flat C index. */
    private NDArray ravelView() {
        return this;
    }

    /**
     * Per-channel normalisation {@code (x - mean[c]) / std[c]} computed in float32 into a new float32 array
     * ({@code c} = index along {@code channelAxis}); NCHW input uses channelAxis 1, HWC input -1.
     */
    public NDArray normalize(float[] mean, float[] std, int channelAxis) {
        return pinned(() -> Normalization.normalize(this, mean, std, channelAxis));
    }

    /**
     * Releases this array's count of its buffer (the memory goes when no array, view or tensor holds it);
     * idempotent. Any later use of this array throws {@link IllegalStateException}.
     */
    @Override
    public void close() {
        if (lease != null && lease.close()) {
            scopeLink.leave();
        }
    }

    /** Whether {@link #close()} was called (or the owning scope closed). */
    public boolean isClosed() {
        return lease != null && lease.isClosed();
    }

    /**
     * Runs {@code body} with this array's memory held: a close on another thread takes effect, and frees the
     * memory, only when the body is done. Throws the project's "was closed" error when already closed.
     */
    public <T> T pinned(java.util.function.Supplier<T> body) {
        if (lease == null) {
            return body.get();
        }
        if (!lease.enter()) {
            throw closedError();
        }
        try {
            return body.get();
        } finally {
            lease.exit();
        }
    }

    /** {@link #pinned(java.util.function.Supplier)} for an operation on several arrays. */
    static <T> T pinned(NDArray[] arrays, java.util.function.Supplier<T> body) {
        return pinnedFrom(arrays, 0, body);
    }

    private static <T> T pinnedFrom(NDArray[] arrays, int i, java.util.function.Supplier<T> body) {
        return i == arrays.length ? body.get() : arrays[i].pinned(() -> pinnedFrom(arrays, i + 1, body));
    }

    @Override
    public void moveScope(Scope from, Scope to) {
        if (scopeLink != null) {
            scopeLink.move(from, to);
        }
    }

    void checkOpen() {
        if (lease != null && lease.isClosed()) {
            throw closedError();
        }
    }

    private IllegalStateException closedError() {
        return new IllegalStateException("this NDArray (shape " + Shapes.str(shape) + ", " + dtype.numpyName()
                + ") was closed and cannot be used any more: keep it open while you use it, or copy() it"
                + " before closing (views taken before the close stay usable)");
    }

    @Override
    public String toString() {
        if (isClosed()) {
            return "NDArray(closed, shape=" + Shapes.str(shape) + ", dtype=" + dtype.numpyName() + ")";
        }
        return Formatter.repr(this);
    }
}
