package org.tensorbridge.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.tensorbridge.core.DType;

/**
 * Images in one folder per class ({@code root/cat/1.jpg}, {@code root/dog/7.png}), like torchvision's
 * ImageFolder: classes are the sorted folder names, labels their positions. Each sample is decoded with
 * ImageIO (JPEG, PNG, BMP, GIF), resized (bilinear, shorter side to {@link Options#resize}), cropped to
 * {@link Options#crop} (centre, or random when {@link Options#randomCrop}), flipped horizontally with
 * {@link Options#flip} probability, and written as CHW float32 normalised per channel — in the worker, with
 * no object beyond the decoded image. Random choices are seeded by (seed, epoch, sample): runs repeat.
 */
public final class ImageFolderDataset implements Dataset {
    private static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp", ".gif");

    /**
     * How samples are prepared. {@code resize}/{@code crop} 0: unchanged (then every image must have the size
     * of the first). {@code mean}/{@code std} per RGB channel, on values scaled to [0, 1].
     */
    public record Options(int resize, int crop, boolean randomCrop, double flip, float[] mean, float[] std, long seed) {
        /** Values scaled to [0, 1], nothing else. */
        public static Options plain() {
            return new Options(0, 0, false, 0, new float[] {0, 0, 0}, new float[] {1, 1, 1}, 0);
        }

        /** ImageNet's evaluation preparation: resize 256, centre crop 224, ImageNet's mean and std. */
        public static Options imagenet() {
            return new Options(256, 224, false, 0, new float[] {0.485f, 0.456f, 0.406f},
                    new float[] {0.229f, 0.224f, 0.225f}, 0);
        }
    }

    private final List<Path> files = new ArrayList<>();
    private final List<Integer> labels = new ArrayList<>();
    private final List<String> classes;
    private final Options options;
    private final int height;
    private final int width;
    private final List<Field> fields;

    private ImageFolderDataset(Path root, Options options) throws IOException {
        this.options = options;
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException(root + " is not a folder: an image folder dataset has one subfolder per class");
        }
        try (Stream<Path> dirs = Files.list(root)) {
            classes = dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList();
        }
        for (int c = 0; c < classes.size(); c++) {
            try (Stream<Path> images = Files.list(root.resolve(classes.get(c)))) {
                for (Path file : images.filter(ImageFolderDataset::isImage).sorted().toList()) {
                    files.add(file);
                    labels.add(c);
                }
            }
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(root + " holds no images (" + String.join(", ", EXTENSIONS) + ") in class"
                    + " subfolders; found the subfolders " + classes);
        }
        if (options.crop > 0) {
            height = width = options.crop;
        } else {
            int[] size = preparedSize(decode(0));
            height = size[0];
            width = size[1];
        }
        fields = List.of(new Field("image", DType.FLOAT32, new long[] {3, height, width}),
                new Field("label", DType.INT64, new long[0]));
    }

    public static ImageFolderDataset open(Path root, Options options) throws IOException {
        return new ImageFolderDataset(root, options);
    }

    private static boolean isImage(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(file) && EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    /** The class names, in label order. */
    public List<String> classes() {
        return classes;
    }

    @Override
    public long size() {
        return files.size();
    }

    @Override
    public List<Field> fields() {
        return fields;
    }

    @Override
    public void read(long index, Rows rows) throws IOException {
        BufferedImage image = decode((int) index);
        SplittableRandom random = new SplittableRandom(options.seed * 0x9E3779B97F4A7C15L
                + rows.epoch() * 0xBF58476D1CE4E5B9L + index);
        float[][] planes = prepared(image);
        int[] size = preparedSize(image);
        int h = size[0];
        int w = size[1];
        int top;
        int left;
        if (options.crop > 0) {
            if (h < options.crop || w < options.crop) {
                throw new IOException(files.get((int) index) + " is " + w + "x" + h + " after resizing, smaller than the"
                        + " crop " + options.crop + ": resize to at least the crop size");
            }
            top = options.randomCrop ? random.nextInt(h - options.crop + 1) : (h - options.crop) / 2;
            left = options.randomCrop ? random.nextInt(w - options.crop + 1) : (w - options.crop) / 2;
        } else {
            if (h != height || w != width) {
                throw new IOException(files.get((int) index) + " is " + w + "x" + h + " but the first image is " + width + "x"
                        + height + ": give Options a resize and crop so that every sample has one shape");
            }
            top = 0;
            left = 0;
        }
        boolean flip = options.flip > 0 && random.nextDouble() < options.flip;
        MemorySegment out = rows.field(0);
        long base = rows.offset(0);
        for (int c = 0; c < 3; c++) {
            float mean = options.mean[c];
            float scale = 1f / options.std[c];
            float[] plane = planes[c];
            for (int y = 0; y < height; y++) {
                long at = base + ((long) c * height * width + (long) y * width) * 4;
                int from = (top + y) * w + left;
                for (int x = 0; x < width; x++) {
                    float value = plane[from + (flip ? width - 1 - x : x)];
                    out.set(ValueLayout.JAVA_FLOAT_UNALIGNED, at + 4L * x, (value - mean) * scale);
                }
            }
        }
        rows.field(1).set(ValueLayout.JAVA_LONG_UNALIGNED, rows.offset(1), labels.get((int) index));
    }

    private BufferedImage decode(int index) throws IOException {
        Path file = files.get(index);
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) {
            throw new IOException(file + ": ImageIO cannot decode it (not a JPEG, PNG, BMP or GIF, or corrupt)");
        }
        return image;
    }

    private int[] preparedSize(BufferedImage image) {
        int h = image.getHeight();
        int w = image.getWidth();
        if (options.resize > 0) {
            double scale = (double) options.resize / Math.min(h, w);
            return new int[] {Math.max(1, (int) Math.round(h * scale)), Math.max(1, (int) Math.round(w * scale))};
        }
        return new int[] {h, w};
    }

    // RGB planes scaled to [0, 1], resized (bilinear, pixel centres aligned) when asked.
    private float[][] prepared(BufferedImage image) {
        int h = image.getHeight();
        int w = image.getWidth();
        float[][] planes = new float[3][h * w];
        if (image.getRaster().getNumBands() == 1 && image.getColorModel().getNumComponents() == 1) {
            // Grey images: the stored values, as PIL's convert('RGB') gives them (getRGB would apply a gamma).
            int[] grey = image.getRaster().getSamples(0, 0, w, h, 0, (int[]) null);
            int max = (1 << image.getColorModel().getComponentSize(0)) - 1;
            for (int i = 0; i < grey.length; i++) {
                float v = grey[i] / (float) max;
                planes[0][i] = v;
                planes[1][i] = v;
                planes[2][i] = v;
            }
        } else {
            int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < argb.length; i++) {
                planes[0][i] = ((argb[i] >> 16) & 0xFF) / 255f;
                planes[1][i] = ((argb[i] >> 8) & 0xFF) / 255f;
                planes[2][i] = (argb[i] & 0xFF) / 255f;
            }
        }
        if (options.resize <= 0) {
            return planes;
        }
        int[] size = preparedSize(image);
        float[][] resized = new float[3][size[0] * size[1]];
        for (int c = 0; c < 3; c++) {
            bilinear(planes[c], h, w, resized[c], size[0], size[1]);
        }
        return resized;
    }

    private static void bilinear(float[] in, int h, int w, float[] out, int oh, int ow) {
        double sy = (double) h / oh;
        double sx = (double) w / ow;
        for (int y = 0; y < oh; y++) {
            double fy = Math.max(0, (y + 0.5) * sy - 0.5);
            int y0 = Math.min((int) fy, h - 1);
            int y1 = Math.min(y0 + 1, h - 1);
            float wy = (float) (fy - y0);
            for (int x = 0; x < ow; x++) {
                double fx = Math.max(0, (x + 0.5) * sx - 0.5);
                int x0 = Math.min((int) fx, w - 1);
                int x1 = Math.min(x0 + 1, w - 1);
                float wx = (float) (fx - x0);
                float top = in[y0 * w + x0] * (1 - wx) + in[y0 * w + x1] * wx;
                float bottom = in[y1 * w + x0] * (1 - wx) + in[y1 * w + x1] * wx;
                out[y * ow + x] = top * (1 - wy) + bottom * wy;
            }
        }
    }
}
