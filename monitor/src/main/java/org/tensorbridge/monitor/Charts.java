package org.tensorbridge.monitor;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.tensorbridge.ndarray.NDArray;

/**
 * Renders charts (JFreeChart) as images; every chart has a {@link BufferedImage} form for inline display
 * (notebooks) and a {@code write...} form that saves a PNG. Rendering is headless: {@code java.awt.headless} is set
 * to true unless the application chose otherwise before.
 */
public final class Charts {
    static {
        // Before anything here touches AWT, which decides once whether it is headless: a server or a notebook kernel
        // has no display, even where DISPLAY is set.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** The size charts get when none is asked for (pixels). */
    public static final int DEFAULT_WIDTH = 800;
    public static final int DEFAULT_HEIGHT = 500;
    /** Larger images would take gigabytes; nobody wants a chart that big. */
    private static final int MAX_SIDE = 16_384;
    /** matplotlib's default colour cycle ("tab10"), so charts look like the Python side's. */
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};
    private static final Color GRID = new Color(0xdddddd);

    private Charts() {
    }

    /** The colour of the {@code i}-th series (matplotlib's tab10 cycle). */
    public static Color seriesColor(int i) {
        return PALETTE[Math.floorMod(i, PALETTE.length)];
    }

    /**
     * Line chart, one line per series, at the default size; each series value is {@code {xs, ys}} of equal length.
     * NaN (or infinite) y values leave a gap. Series keep the map's iteration order (use a LinkedHashMap to choose it).
     */
    public static BufferedImage lines(String title, String xLabel, String yLabel, Map<String, double[][]> series) {
        return lines(title, xLabel, yLabel, series, DEFAULT_WIDTH, DEFAULT_HEIGHT);
    }

    public static BufferedImage lines(String title, String xLabel, String yLabel, Map<String, double[][]> series,
            int width, int height) {
        checkSize(width, height);
        return lineChart(title, xLabel, yLabel, series).createBufferedImage(width, height);
    }

    public static void writeLines(Path png, String title, String xLabel, String yLabel, Map<String, double[][]> series)
            throws IOException {
        writeLines(png, title, xLabel, yLabel, series, DEFAULT_WIDTH, DEFAULT_HEIGHT);
    }

    public static void writeLines(Path png, String title, String xLabel, String yLabel, Map<String, double[][]> series,
            int width, int height) throws IOException {
        write(png, lines(title, xLabel, yLabel, series, width, height));
    }

    /**
     * Histogram of {@code values} in {@code bins} equal-width bins over their range, as matplotlib's
     * {@code plt.hist(values, bins)} draws it (the counts are {@link HistogramBins#of}'s, numpy.histogram's).
     */
    public static BufferedImage histogram(String title, String xLabel, double[] values, int bins) {
        return histogram(title, xLabel, values, bins, DEFAULT_WIDTH, DEFAULT_HEIGHT);
    }

    public static BufferedImage histogram(String title, String xLabel, double[] values, int bins, int width,
            int height) {
        checkSize(width, height);
        return histogramChart(title, xLabel, HistogramBins.of(values, bins)).createBufferedImage(width, height);
    }

    public static void writeHistogram(Path png, String title, String xLabel, double[] values, int bins)
            throws IOException {
        writeHistogram(png, title, xLabel, values, bins, DEFAULT_WIDTH, DEFAULT_HEIGHT);
    }

    public static void writeHistogram(Path png, String title, String xLabel, double[] values, int bins, int width,
            int height) throws IOException {
        write(png, histogram(title, xLabel, values, bins, width, height));
    }

    /**
     * Histogram of an array's elements (any real dtype, any layout: views and strided arrays are read in C order),
     * e.g. a layer's weights or a preprocessed batch. The x axis names the dtype and shape.
     */
    public static BufferedImage histogram(String title, NDArray values, int bins) {
        return histogram(title, values, bins, DEFAULT_WIDTH, DEFAULT_HEIGHT);
    }

    public static BufferedImage histogram(String title, NDArray values, int bins, int width, int height) {
        if (values == null) {
            throw new IllegalArgumentException("values is null: pass the array whose elements to plot");
        }
        String xLabel = "value (" + values.dtype().numpyName() + ", shape " + Arrays.toString(values.shape()) + ")";
        return histogram(title, xLabel, values.toDoubleArray(), bins, width, height);
    }

    /** Writes {@code image} as a PNG, atomically: a reader never sees a half-written file. */
    public static void write(Path png, BufferedImage image) throws IOException {
        if (png == null) {
            throw new IllegalArgumentException("png is null: pass the path of the PNG file to write");
        }
        Path absolute = png.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        // Not Files.createTempFile: its owner-only permissions would carry over to the chart.
        Path tmp = absolute.resolveSibling("." + absolute.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (var out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ChartUtils.writeBufferedImageAsPNG(out, image);
            }
            Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static JFreeChart lineChart(String title, String xLabel, String yLabel, Map<String, double[][]> series) {
        if (series == null || series.isEmpty()) {
            throw new IllegalArgumentException("no series to plot: pass at least one name -> {xs, ys}");
        }
        XYSeriesCollection dataset = new XYSeriesCollection();
        for (Map.Entry<String, double[][]> e : series.entrySet()) {
            String name = e.getKey();
            double[][] xy = e.getValue();
            if (name == null) {
                throw new IllegalArgumentException("a series has a null name: name every series (it is the legend)");
            }
            if (xy == null || xy.length != 2 || xy[0] == null || xy[1] == null) {
                throw new IllegalArgumentException("series '" + name + "' must be {xs, ys}: two non-null arrays, got "
                        + (xy == null ? "null" : xy.length + " arrays"));
            }
            if (xy[0].length != xy[1].length) {
                throw new IllegalArgumentException("series '" + name + "' has " + xy[0].length + " x values but "
                        + xy[1].length + " y values: they must pair up");
            }
            XYSeries s = new XYSeries(name, false, true);  // keep the caller's order; repeated x values allowed
            for (int i = 0; i < xy[0].length; i++) {
                if (!Double.isFinite(xy[0][i])) {
                    throw new IllegalArgumentException("series '" + name + "' has x[" + i + "] = " + xy[0][i]
                            + ": x values must be finite");
                }
                s.add(xy[0][i], Double.isFinite(xy[1][i]) ? xy[1][i] : Double.NaN, false);
            }
            dataset.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, nonNull(xLabel), nonNull(yLabel), dataset,
                PlotOrientation.VERTICAL, dataset.getSeriesCount() > 1, false, false);
        XYPlot plot = style(chart);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < dataset.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, seriesColor(i));
            renderer.setSeriesStroke(i, new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            // A series of one point has no line to draw: show the point.
            if (dataset.getItemCount(i) == 1) {
                renderer.setSeriesShapesVisible(i, true);
            }
        }
        plot.setRenderer(renderer);
        plot.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD);  // later series on top, as matplotlib draws them
        if (allIntegers(series)) {  // steps and epochs: no ticks between them
            plot.getDomainAxis().setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        }
        return chart;
    }

    private static JFreeChart histogramChart(String title, String xLabel, HistogramBins bins) {
        XYIntervalSeries series = new XYIntervalSeries("count", false, true);
        double[] edges = bins.edges();
        long[] counts = bins.counts();
        for (int i = 0; i < counts.length; i++) {
            series.add((edges[i] + edges[i + 1]) / 2, edges[i], edges[i + 1], counts[i], 0, counts[i]);
        }
        XYIntervalSeriesCollection dataset = new XYIntervalSeriesCollection();
        dataset.addSeries(series);
        JFreeChart chart = ChartFactory.createHistogram(title, nonNull(xLabel), "count", dataset,
                PlotOrientation.VERTICAL, false, false, false);
        XYPlot plot = style(chart);
        XYBarRenderer renderer = (XYBarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardXYBarPainter());  // flat bars, as matplotlib draws them
        renderer.setShadowVisible(false);
        renderer.setSeriesPaint(0, seriesColor(0));
        renderer.setDrawBarOutline(true);
        renderer.setSeriesOutlinePaint(0, Color.WHITE);
        renderer.setMargin(0);
        plot.setDomainZeroBaselineVisible(false);
        // The axis spans the bins (with matplotlib's 5% margin), not JFreeChart's wider automatic range.
        double margin = 0.05 * (edges[edges.length - 1] - edges[0]);
        plot.getDomainAxis().setRange(edges[0] - margin, edges[edges.length - 1] + margin);
        return chart;
    }

    private static XYPlot style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        plot.setOutlinePaint(Color.DARK_GRAY);
        return plot;
    }

    private static boolean allIntegers(Map<String, double[][]> series) {
        for (double[][] xy : series.values()) {
            for (double x : xy[0]) {
                if (x != Math.rint(x)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static void checkSize(int width, int height) {
        if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
            throw new IllegalArgumentException("chart size " + width + "x" + height + " is out of range: each side"
                    + " must be 1 to " + MAX_SIDE + " pixels");
        }
    }

    private static String nonNull(String label) {
        return label == null ? "" : label;
    }
}
