package org.tensorbridge.data;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.tensorbridge.core.DType;

/**
 * A dataset whose field {@code field} (float32, {@code [c, h, w]}) goes through a chain of {@link Transform}s in
 * the workers: the inner dataset writes the sample into a per-thread scratch buffer, the steps run on it, the
 * result goes to the batch. Random steps are seeded by (seed, epoch, sample).
 */
public final class TransformedDataset implements Dataset {
    private final Dataset inner;
    private final int field;
    private final List<Transform> steps;
    private final long seed;
    private final List<Field> fields;
    private final List<long[]> shapes = new ArrayList<>();  // before each step, then the output
    private final ThreadLocal<Scratch> scratch;

    private TransformedDataset(Dataset inner, String fieldName, long seed, List<Transform> steps) {
        this.inner = inner;
        this.steps = List.copyOf(steps);
        this.seed = seed;
        int found = -1;
        for (int f = 0; f < inner.fields().size(); f++) {
            if (inner.fields().get(f).name().equals(fieldName)) {
                found = f;
            }
        }
        if (found < 0) {
            throw new IllegalArgumentException("no field '" + fieldName + "' to transform; the dataset's fields are "
                    + inner.fields());
        }
        Field source = inner.fields().get(found);
        if (source.dtype() != DType.FLOAT32 || source.shape().length != 3) {
            throw new IllegalArgumentException("transforms take a float32 [channels, height, width] field; '" + fieldName
                    + "' is " + source + ": convert it first");
        }
        this.field = found;
        long[] shape = source.shape();
        shapes.add(shape);
        for (Transform step : this.steps) {
            shape = step.outputShape(shape);
            shapes.add(shape);
        }
        List<Field> out = new ArrayList<>(inner.fields());
        out.set(found, new Field(fieldName, DType.FLOAT32, shape));
        this.fields = List.copyOf(out);
        this.scratch = ThreadLocal.withInitial(Scratch::new);
    }

    /** {@code inner} with {@code steps} applied, in order, to its field {@code fieldName}. */
    public static TransformedDataset of(Dataset inner, String fieldName, long seed, Transform... steps) {
        return new TransformedDataset(inner, fieldName, seed, Arrays.asList(steps));
    }

    @Override
    public long size() {
        return inner.size();
    }

    @Override
    public List<Field> fields() {
        return fields;
    }

    // Per worker thread: the inner sample's memory for the transformed field, and two float arrays to ping-pong.
    private final class Scratch {
        final MemorySegment segment = Arena.ofAuto().allocate(inner.fields().get(field).bytes(), 64);
        float[] a = new float[largest()];
        float[] b = new float[largest()];
    }

    private int largest() {
        long max = 0;
        for (long[] shape : shapes) {
            max = Math.max(max, shape[0] * shape[1] * shape[2]);
        }
        return Math.toIntExact(max);
    }

    @Override
    public void read(long index, Rows rows) throws Exception {
        Scratch s = scratch.get();
        inner.read(index, new Rows() {
            @Override
            public MemorySegment field(int f) {
                return f == field ? s.segment : rows.field(f);
            }

            @Override
            public long offset(int f) {
                return f == field ? 0 : rows.offset(f);
            }

            @Override
            public long epoch() {
                return rows.epoch();
            }
        });
        int n = (int) (s.segment.byteSize() / 4);
        MemorySegment.copy(s.segment, ValueLayout.JAVA_FLOAT, 0, s.a, 0, n);
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + rows.epoch() * 0xBF58476D1CE4E5B9L
                + index);
        float[] in = s.a;
        float[] out = s.b;
        for (int i = 0; i < steps.size(); i++) {
            steps.get(i).apply(in, shapes.get(i), out, random);
            float[] swap = in;
            in = out;
            out = swap;
        }
        long[] last = shapes.getLast();
        int count = (int) (last[0] * last[1] * last[2]);
        MemorySegment.copy(in, 0, rows.field(field), ValueLayout.JAVA_FLOAT_UNALIGNED, rows.offset(field), count);
    }
}
