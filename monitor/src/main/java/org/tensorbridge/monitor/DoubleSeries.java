package org.tensorbridge.monitor;

import java.util.Arrays;

/** Growable (x, y) pairs of primitives: what a chart of a run needs, without an object per point. */
final class DoubleSeries {
    private double[] xs = new double[1024];
    private double[] ys = new double[1024];
    private int size;

    void add(double x, double y) {
        if (size == xs.length) {
            xs = Arrays.copyOf(xs, size * 2);
            ys = Arrays.copyOf(ys, size * 2);
        }
        xs[size] = x;
        ys[size] = y;
        size++;
    }

    int size() {
        return size;
    }

    boolean anyFinite() {
        for (int i = 0; i < size; i++) {
            if (Double.isFinite(ys[i])) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code {xs, ys}} of at most {@code maxPoints} points: consecutive points are averaged in equal groups when
     * there are more (a chart is a few hundred pixels wide; a million-step line would only slow it down).
     */
    double[][] toXY(int maxPoints) {
        if (size <= maxPoints) {
            return new double[][] {Arrays.copyOf(xs, size), Arrays.copyOf(ys, size)};
        }
        int group = (size + maxPoints - 1) / maxPoints;
        int points = (size + group - 1) / group;
        double[] gx = new double[points];
        double[] gy = new double[points];
        for (int p = 0; p < points; p++) {
            int from = p * group;
            int to = Math.min(size, from + group);
            double sx = 0;
            double sy = 0;
            for (int i = from; i < to; i++) {
                sx += xs[i];
                sy += ys[i];
            }
            gx[p] = sx / (to - from);
            gy[p] = sy / (to - from);
        }
        return new double[][] {gx, gy};
    }
}
