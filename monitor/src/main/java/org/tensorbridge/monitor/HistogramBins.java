package org.tensorbridge.monitor;

import java.util.Arrays;

/**
 * Equal-width bins and their counts, computed exactly as {@code numpy.histogram(values, bins)} computes them (and
 * so as matplotlib's {@code plt.hist} draws them): the range is the data's minimum to maximum ({@code ±0.5} around
 * a single value, {@code [0, 1]} for no values), the edges are {@code numpy.linspace} over it, every bin is
 * half-open except the last, which includes the maximum.
 *
 * <p>Values are binned in double precision, as NumPy bins float64 and integer data. (NumPy bins float32 data with
 * float32 edges, so a float32 value within one float32 ulp of an edge may fall in the neighbouring bin there.)
 *
 * @param edges  {@code bins + 1} bin edges, ascending
 * @param counts the number of values in each bin
 */
public record HistogramBins(double[] edges, long[] counts) {
    public HistogramBins {
        if (edges.length != counts.length + 1) {
            throw new IllegalArgumentException("a histogram with " + counts.length + " bins needs " + (counts.length + 1)
                    + " edges, got " + edges.length);
        }
        edges = edges.clone();
        counts = counts.clone();
    }

    /** Bins {@code values} into {@code bins} equal-width bins over their range; every value must be finite. */
    public static HistogramBins of(double[] values, int bins) {
        if (values == null) {
            throw new IllegalArgumentException("values is null: pass the numbers to bin (an empty array is allowed)");
        }
        if (bins < 1) {
            throw new IllegalArgumentException("bins must be at least 1, got " + bins);
        }
        double first = Double.POSITIVE_INFINITY;
        double last = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("values[" + i + "] is " + v + ": a histogram's range needs finite"
                        + " values (numpy.histogram refuses them too); drop non-finite values first, e.g."
                        + " Arrays.stream(values).filter(Double::isFinite).toArray()");
            }
            first = Math.min(first, v);
            last = Math.max(last, v);
        }
        if (values.length == 0) {
            first = 0;
            last = 1;
        } else if (first == last) {
            first -= 0.5;
            last += 0.5;
        }
        double[] edges = linspace(first, last, bins);
        long[] counts = new long[bins];
        // numpy/lib/histograms.py's equal-width path: a first guess by scaling, corrected against the edges because
        // the scaled index can be off by one within an ulp of an edge.
        double norm = bins / (last - first);
        for (double v : values) {
            int index = (int) ((v - first) * norm);
            if (index == bins) {
                index--;
            }
            if (v < edges[index]) {
                index--;
            } else if (index != bins - 1 && v >= edges[index + 1]) {
                index++;
            }
            counts[index]++;
        }
        return new HistogramBins(edges, counts);
    }

    /** numpy.linspace(start, stop, bins + 1): {@code start + i * step}, the last edge exactly {@code stop}. */
    private static double[] linspace(double start, double stop, int bins) {
        double step = (stop - start) / bins;
        double[] edges = new double[bins + 1];
        for (int i = 0; i < bins; i++) {
            edges[i] = i * step + start;
        }
        edges[bins] = stop;
        return edges;
    }

    public int bins() {
        return counts.length;
    }

    @Override
    public double[] edges() {
        return edges.clone();
    }

    @Override
    public long[] counts() {
        return counts.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HistogramBins h && Arrays.equals(edges, h.edges) && Arrays.equals(counts, h.counts);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(edges) + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return "HistogramBins[edges=" + Arrays.toString(edges) + ", counts=" + Arrays.toString(counts) + "]";
    }
}
