package org.tensorbridge.data;

import java.util.SplittableRandom;

/**
 * One step of per-sample preparation that runs in the loader's workers, on a float32 field of shape
 * {@code [channels, height, width]} (images): crops, flips, normalisation. Compose them with
 * {@link TransformedDataset}; random steps draw from a generator seeded by (seed, epoch, sample), so runs
 * repeat whatever the number of workers.
 */
public interface Transform {
    /** The shape this step produces from {@code input} ({@code [c, h, w]}). */
    long[] outputShape(long[] input);

    /** Writes the step's result for {@code in} (C-contiguous, of shape {@code shape}) into {@code out}. */
    void apply(float[] in, long[] shape, float[] out, SplittableRandom random);

    /** A {@code size} x {@code size} crop from the centre. */
    static Transform centerCrop(int size) {
        return new Crop(size, false);
    }

    /** A {@code size} x {@code size} crop at a random position. */
    static Transform randomCrop(int size) {
        return new Crop(size, true);
    }

    /** Mirrors the image left to right with probability {@code p}. */
    static Transform horizontalFlip(double p) {
        return new Transform() {
            @Override
            public long[] outputShape(long[] input) {
                return input.clone();
            }

            @Override
            public void apply(float[] in, long[] shape, float[] out, SplittableRandom random) {
                boolean flip = random.nextDouble() < p;
                int w = (int) shape[2];
                for (int row = 0; row < in.length / w; row++) {
                    for (int x = 0; x < w; x++) {
                        out[row * w + x] = in[row * w + (flip ? w - 1 - x : x)];
                    }
                }
            }
        };
    }

    /** {@code (x - mean[c]) / std[c]} per channel. */
    static Transform normalize(float[] mean, float[] std) {
        return new Transform() {
            @Override
            public long[] outputShape(long[] input) {
                if (input[0] != mean.length || mean.length != std.length) {
                    throw new IllegalArgumentException("normalize has " + mean.length + " means and " + std.length
                            + " stds for " + input[0] + " channels: give one per channel");
                }
                return input.clone();
            }

            @Override
            public void apply(float[] in, long[] shape, float[] out, SplittableRandom random) {
                int plane = (int) (shape[1] * shape[2]);
                for (int c = 0; c < shape[0]; c++) {
                    float m = mean[c];
                    float s = 1f / std[c];
                    for (int i = c * plane; i < (c + 1) * plane; i++) {
                        out[i] = (in[i] - m) * s;
                    }
                }
            }
        };
    }

    /** A square crop, centred or at a random position. */
    record Crop(int size, boolean random) implements Transform {
        @Override
        public long[] outputShape(long[] input) {
            if (input[1] < size || input[2] < size) {
                throw new IllegalArgumentException("cannot crop " + size + "x" + size + " from " + input[2] + "x" + input[1]
                        + " images: crop at most the image size");
            }
            return new long[] {input[0], size, size};
        }

        @Override
        public void apply(float[] in, long[] shape, float[] out, SplittableRandom rng) {
            int h = (int) shape[1];
            int w = (int) shape[2];
            int top = random ? rng.nextInt(h - size + 1) : (h - size) / 2;
            int left = random ? rng.nextInt(w - size + 1) : (w - size) / 2;
            for (int c = 0; c < shape[0]; c++) {
                for (int y = 0; y < size; y++) {
                    System.arraycopy(in, (c * h + top + y) * w + left, out, (c * size + y) * size, size);
                }
            }
        }
    }
}
