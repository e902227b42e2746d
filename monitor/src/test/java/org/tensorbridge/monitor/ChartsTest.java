package org.tensorbridge.monitor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.core.DType;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.testkit.Python;

class ChartsTest {
    @TempDir
    Path dir;

    private static double[][] line(int n, double slope) {
        double[] xs = IntStream.range(0, n).asDoubleStream().toArray();
        double[] ys = IntStream.range(0, n).mapToDouble(i -> 1 + slope * i).toArray();
        return new double[][] {xs, ys};
    }

    @Test
    void aLineChartHasTheRequestedSizeAndDrawsTheLineWhereTheDataGoes() {
        BufferedImage image = Charts.lines("loss", "step", "loss", Map.of("loss", line(100, 0.01)), 640, 400);

        assertEquals(640, image.getWidth());
        assertEquals(400, image.getHeight());
        assertTrue(Pixels.distinctColors(image) >= 8, "a chart has text, axes, grid and a line in several colours");
        assertTrue(Pixels.count(image, Charts.seriesColor(0)) >= 300, "the line's own colour covers its length");
        // A rising line: its pixels sit higher (smaller rows) on the right than on the left.
        double left = Pixels.meanRow(image, Charts.seriesColor(0), 0, 320);
        double right = Pixels.meanRow(image, Charts.seriesColor(0), 320, 640);
        assertTrue(right < left - 40, "rising line: left mean row " + left + ", right " + right);
    }

    @Test
    void everySeriesGetsItsOwnColourInTheMapsOrder() {
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("train", line(50, -0.02));
        series.put("eval", line(50, 0.02));

        BufferedImage image = Charts.lines("loss", "epoch", "loss", series);

        assertEquals(Charts.DEFAULT_WIDTH, image.getWidth());
        assertEquals(Charts.DEFAULT_HEIGHT, image.getHeight());
        int half = image.getWidth() / 2;
        // Falling first series, rising second: the legend swatches are small next to the lines.
        assertTrue(Pixels.meanRow(image, Charts.seriesColor(0), 0, half)
                < Pixels.meanRow(image, Charts.seriesColor(0), half, image.getWidth()), "train falls");
        assertTrue(Pixels.meanRow(image, Charts.seriesColor(1), 0, half)
                > Pixels.meanRow(image, Charts.seriesColor(1), half, image.getWidth()), "eval rises");
    }

    @Test
    void writeLinesWritesAPngThatImageIoOpens() throws IOException {
        Path png = dir.resolve("charts/loss.png");

        Charts.writeLines(png, "loss", "step", "loss", Map.of("loss", line(30, -0.03)), 500, 300);

        byte[] bytes = Files.readAllBytes(png);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(bytes, 4));
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(500, image.getWidth());
        assertEquals(300, image.getHeight());
        assertTrue(Pixels.distinctColors(image) >= 8);
        assertTrue(Pixels.count(image, Charts.seriesColor(0)) >= 200);
        try (var files = Files.list(png.getParent())) {
            assertEquals(List.of(png), files.toList(), "no temporary file is left behind");
        }
        Path ordinary = Files.writeString(dir.resolve("ordinary.txt"), "x");
        assertEquals(Files.getPosixFilePermissions(ordinary), Files.getPosixFilePermissions(png),
                "the chart gets the permissions of any new file (the umask's), not a temporary file's owner-only ones");
    }

    @Test
    void histogramBarsAreAsTallAsTheirCounts() throws IOException {
        // Bins over [0, 3] in 4: counts 1, 2, 3, 4.
        double[] values = {0, 1, 1, 2, 2, 2, 3, 3, 3, 3};
        assertArrayEquals(new long[] {1, 2, 3, 4}, HistogramBins.of(values, 4).counts());
        Path png = dir.resolve("hist.png");

        Charts.writeHistogram(png, "values", "value", values, 4);

        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(Charts.DEFAULT_WIDTH, image.getWidth());
        assertEquals(Charts.DEFAULT_HEIGHT, image.getHeight());
        int[] columns = Pixels.columnCounts(image, Charts.seriesColor(0));
        int first = IntStream.range(0, columns.length).filter(x -> columns[x] > 0).findFirst().orElseThrow();
        int last = IntStream.range(0, columns.length).map(x -> columns.length - 1 - x).filter(x -> columns[x] > 0)
                .findFirst().orElseThrow();
        double barWidth = (last - first + 1) / 4.0;
        double[] heights = IntStream.range(0, 4).mapToDouble(b -> columns[(int) (first + (b + 0.5) * barWidth)]).toArray();
        for (int b = 0; b < 4; b++) {
            assertEquals((b + 1) / 4.0, heights[b] / heights[3], 0.02, "bar " + b + " heights " + java.util.Arrays.toString(heights));
        }
    }

    @Test
    void histogramBinsAreNumpysForFixedData() throws IOException {
        Random random = new Random(12);
        double[] gaussian = random.doubles(2000).map(u -> random.nextGaussian() * 3 + 1).toArray();
        double[] tenths = IntStream.rangeClosed(0, 100).mapToDouble(i -> i * 0.1).toArray();  // values on the edges
        double[] integers = random.ints(500, -7, 40).asDoubleStream().toArray();
        double[] constant = {2.5, 2.5, 2.5};
        double[] empty = {};
        List<double[]> datasets = List.of(gaussian, tenths, integers, constant, empty);
        int[] bins = {1, 3, 7, 10, 30, 64};
        StringBuilder input = new StringBuilder();
        for (double[] data : datasets) {
            for (double v : data) {
                input.append(v).append(' ');
            }
            input.append('\n');
        }
        Path file = dir.resolve("datasets.txt");
        Files.writeString(file, input);
        // One line of counts, then one of edges, per (dataset, bins).
        String out = Python.debian().run("""
                import sys, numpy as np
                bins = [int(b) for b in sys.argv[2:]]
                for line in open(sys.argv[1]).read().split('\\n')[:-1]:
                    a = np.array([float(v) for v in line.split()], dtype=np.float64)
                    for b in bins:
                        counts, edges = np.histogram(a, b)
                        print(' '.join(repr(int(c)) for c in counts))
                        print(' '.join(repr(float(e)) for e in edges))
                """, file.toString(), "1", "3", "7", "10", "30", "64");
        String[] lines = out.split("\n");
        int line = 0;
        for (int d = 0; d < datasets.size(); d++) {
            for (int b : bins) {
                HistogramBins ours = HistogramBins.of(datasets.get(d), b);
                double[] counts = Python.parseDoubles(lines[line++]);
                double[] edges = Python.parseDoubles(lines[line++]);
                String what = "dataset " + d + ", " + b + " bins";
                assertArrayEquals(counts, java.util.Arrays.stream(ours.counts()).asDoubleStream().toArray(), what);
                assertArrayEquals(edges, ours.edges(), what);
            }
        }
    }

    @Test
    void anArraysHistogramReadsAnyRealDtypeAndLayout() {
        double[] data = new Random(3).doubles(600).map(u -> u * u).toArray();
        try (NDArray matrix = NDArray.of(data, 20, 30);
             NDArray transposed = matrix.transpose();
             NDArray strided = matrix.slice(1, 0, 30, 3);
             NDArray bytes = NDArray.of(new byte[] {-3, 0, 0, 5, 9, 9, 9}, 7)) {
            BufferedImage image = Charts.histogram("weights", transposed, 12);
            assertEquals(Charts.DEFAULT_WIDTH, image.getWidth());
            assertTrue(Pixels.count(image, Charts.seriesColor(0)) > 5_000, "the bars are drawn");
            assertTrue(Pixels.count(Charts.histogram("every third column", strided, 5, 300, 200), Charts.seriesColor(0)) > 500);
            assertTrue(Pixels.count(Charts.histogram("int8", bytes, 4), Charts.seriesColor(0)) > 1_000);
            // The same elements in another layout: the same bins.
            assertEquals(HistogramBins.of(data, 12), HistogramBins.of(transposed.toDoubleArray(), 12));
        }
    }

    @Test
    void chartsRenderHeadlessEvenWhereADisplayIsSet() throws Exception {
        String javaBinary = ProcessHandle.current().info().command().orElseThrow();
        ProcessBuilder builder = new ProcessBuilder(javaBinary, "-cp", System.getProperty("java.class.path"),
                HeadlessCheck.class.getName()).redirectErrorStream(true);
        builder.environment().put("DISPLAY", ":97");  // no X server there: a non-headless AWT would try it
        Process child = builder.start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(2, TimeUnit.MINUTES), output);
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("headless=true"), output);
    }

    @Test
    void badInputIsRefusedWithTheFix() {
        var e = assertThrows(IllegalArgumentException.class, () -> Charts.lines("t", "x", "y",
                Map.of("loss", new double[][] {{0, 1, 2}, {1, 2}})));
        assertTrue(e.getMessage().contains("3 x values but 2 y values"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Charts.lines("t", "x", "y", Map.of()));
        assertTrue(e.getMessage().contains("no series"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Charts.lines("t", "x", "y",
                Map.of("loss", new double[][] {{0, 1}})));
        assertTrue(e.getMessage().contains("{xs, ys}"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Charts.histogram("t", "x", new double[] {1, 2, Double.NaN}, 3));
        assertTrue(e.getMessage().contains("values[2] is NaN") && e.getMessage().contains("filter"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Charts.histogram("t", "x", new double[] {1}, 0));
        assertTrue(e.getMessage().contains("bins must be at least 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Charts.lines("t", "x", "y",
                Map.of("loss", line(3, 1)), 0, 100));
        assertTrue(e.getMessage().contains("0x100"), e.getMessage());
        try (NDArray complex = NDArray.zeros(DType.COMPLEX128, 4)) {
            e = assertThrows(IllegalArgumentException.class, () -> Charts.histogram("t", complex, 3));
            assertTrue(e.getMessage().contains("complex"), e.getMessage());
        }
    }
}
