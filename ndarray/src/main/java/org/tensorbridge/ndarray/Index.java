package org.tensorbridge.ndarray;

/**
 * One item of a NumPy basic index, for {@link NDArray#get(Index...)}: {@code a[1, 2:5, ::-1, None, ...]}
 * is {@code a.get(Index.at(1), Index.slice(2L, 5L, null), Index.slice(null, null, -1L), Index.newAxis(), Index.ellipsis())}.
 */
public final class Index {
    enum Kind { AT, SLICE, NEW_AXIS, ELLIPSIS }

    final Kind kind;
    final long at;
    final Long start;
    final Long stop;
    final Long step;

    private Index(Kind kind, long at, Long start, Long stop, Long step) {
        this.kind = kind;
        this.at = at;
        this.start = start;
        this.stop = stop;
        this.step = step;
    }

    private static final Index ALL = new Index(Kind.SLICE, 0, null, null, null);
    private static final Index NEW_AXIS = new Index(Kind.NEW_AXIS, 0, null, null, null);
    private static final Index ELLIPSIS = new Index(Kind.ELLIPSIS, 0, null, null, null);

    /** An integer index (negative counts from the end); drops the axis. */
    public static Index at(long i) {
        return new Index(Kind.AT, i, null, null, null);
    }

    /** {@code start:stop:step} with all three given (NumPy clamping applies). */
    public static Index slice(long start, long stop, long step) {
        return slice(Long.valueOf(start), Long.valueOf(stop), Long.valueOf(step));
    }

    /** {@code start:stop:step}; {@code null} means omitted (as in {@code ::-1}). */
    public static Index slice(Long start, Long stop, Long step) {
        if (step != null && step == 0) {
            throw new IllegalArgumentException("slice step cannot be zero");
        }
        return new Index(Kind.SLICE, 0, start, stop, step);
    }

    /** {@code :} */
    public static Index all() {
        return ALL;
    }

    /** {@code None} / {@code np.newaxis}: inserts an axis of length 1. */
    public static Index newAxis() {
        return NEW_AXIS;
    }

    /** {@code ...}: as many {@code :} as needed. */
    public static Index ellipsis() {
        return ELLIPSIS;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case AT -> Long.toString(at);
            case NEW_AXIS -> "None";
            case ELLIPSIS -> "...";
            case SLICE -> (start == null ? "" : start) + ":" + (stop == null ? "" : stop)
                    + (step == null ? "" : ":" + step);
        };
    }
}
