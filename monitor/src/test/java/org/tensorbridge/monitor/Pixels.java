package org.tensorbridge.monitor;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.HashSet;
import java.util.Set;

/** Facts about a rendered chart's pixels, for tests that check an image is a real chart. */
final class Pixels {
    private Pixels() {
    }

    static int distinctColors(BufferedImage image) {
        Set<Integer> colors = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                colors.add(image.getRGB(x, y) & 0xffffff);
            }
        }
        return colors.size();
    }

    /** Pixels of exactly {@code color} (antialiased edges excluded), per column. */
    static int[] columnCounts(BufferedImage image, Color color) {
        int rgb = color.getRGB() & 0xffffff;
        int[] counts = new int[image.getWidth()];
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == rgb) {
                    counts[x]++;
                }
            }
        }
        return counts;
    }

    static int count(BufferedImage image, Color color) {
        int total = 0;
        for (int c : columnCounts(image, color)) {
            total += c;
        }
        return total;
    }

    /** The mean row of the pixels of {@code color} in columns [from, to), or NaN when there are none. */
    static double meanRow(BufferedImage image, Color color, int from, int to) {
        int rgb = color.getRGB() & 0xffffff;
        long sum = 0;
        long n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = from; x < to; x++) {
                if ((image.getRGB(x, y) & 0xffffff) == rgb) {
                    sum += y;
                    n++;
                }
            }
        }
        return n == 0 ? Double.NaN : (double) sum / n;
    }
}
