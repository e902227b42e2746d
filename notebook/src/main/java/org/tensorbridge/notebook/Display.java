package org.tensorbridge.notebook;

import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.imageio.ImageIO;

/**
 * Rich output from notebook cells. This class runs in the JShell VM, which reaches the kernel only through its
 * standard output: {@link #display(Object)} writes one marker line there (PNG and text, base64), and the kernel
 * turns the marker into a {@code display_data} message instead of printing it.
 *
 * <p>Images are {@link RenderedImage}s (a {@link java.awt.image.BufferedImage}) and JFreeChart charts (found by
 * name, so the kernel does not depend on JFreeChart), rendered at {@value #CHART_WIDTH}x{@value #CHART_HEIGHT}.
 */
public final class Display {
    static final String MARKER_START = "\u001b[tensorbridge-display ";
    static final char MARKER_END = ']';
    static final int CHART_WIDTH = 720;
    static final int CHART_HEIGHT = 440;

    private Display() {
    }

    /** Shows {@code value} below the cell: an image inline, anything else as its text. */
    public static void display(Object value) {
        RenderedImage image = image(value);
        String text = image == null ? String.valueOf(value)
                : value.getClass().getSimpleName() + " " + image.getWidth() + "x" + image.getHeight();
        System.out.print(marker(image == null ? null : png(image), text));
        System.out.flush();
    }

    /** Displays {@code value} if it is an image and says whether it did (the kernel asks for a cell's result). */
    public static boolean showIfImage(Object value) {
        if (image(value) == null) {
            return false;
        }
        display(value);
        return true;
    }

    static String marker(String png, String text) {
        Base64.Encoder base64 = Base64.getEncoder();
        return MARKER_START + "png=" + (png == null ? "" : png) + " text="
                + base64.encodeToString(text.getBytes(StandardCharsets.UTF_8)) + MARKER_END + "\n";
    }

    static String png(RenderedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", bytes)) {
                throw new IllegalArgumentException("ImageIO has no PNG writer for this image: " + image);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode the image as PNG: " + image, e);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    private static RenderedImage image(Object value) {
        if (value instanceof RenderedImage image) {
            return image;
        }
        if (value != null && value.getClass().getName().equals("org.jfree.chart.JFreeChart")) {
            try {
                Method render = value.getClass().getMethod("createBufferedImage", int.class, int.class);
                return (RenderedImage) render.invoke(value, CHART_WIDTH, CHART_HEIGHT);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("could not render the JFreeChart chart: " + e, e);
            }
        }
        return null;
    }
}
