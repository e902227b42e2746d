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
            TurboJpeg.Image first = pixels(0);
            int[] size = preparedSize(first.height(), first.width());
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
        TurboJpeg.Image image = pixels((int) index);
        SplittableRandom random = new SplittableRandom(options.seed * 0x9E3779B97F4A7C15L
                + rows.epoch() * 0xBF58476D1CE4E5B9L + index);
        int[] size = preparedSize(image.height(), image.width());
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
        write(image.rgb(), image.height(), image.width(), h, w, top, left, flip, rows.field(0), rows.offset(0));
        rows.field(1).set(ValueLayout.JAVA_LONG_UNALIGNED, rows.offset(1), labels.get((int) index));
    }

    /**
     * Resize (bilinear, pixel centres aligned; exact copies at scale 1), crop, flip and normalise in one pass
     * from interleaved RGB bytes straight into the CHW float destination.
     */
    private void write(byte[] rgb, int srcH, int srcW, int h, int w, int top, int left, boolean flip,
                       MemorySegment out, long base) {
        double sy = (double) srcH / h;
        double sx = (double) srcW / w;
        int[] x0 = new int[width];
        int[] x1 = new int[width];
        float[] wx = new float[width];
        for (int x = 0; x < width; x++) {
            double fx = Math.max(0, (left + (flip ? width - 1 - x : x) + 0.5) * sx - 0.5);
            x0[x] = Math.min((int) fx, srcW - 1);
            x1[x] = Math.min(x0[x] + 1, srcW - 1);
            wx[x] = (float) (fx - x0[x]);
        }
        float[] scale = new float[3];
        float[] shift = new float[3];
        for (int c = 0; c < 3; c++) {
            scale[c] = 1f / (255f * options.std[c]);
            shift[c] = options.mean[c] / options.std[c];
        }
        long plane = (long) height * width * 4;
        for (int y = 0; y < height; y++) {
            double fy = Math.max(0, (top + y + 0.5) * sy - 0.5);
            int y0 = Math.min((int) fy, srcH - 1);
            int y1 = Math.min(y0 + 1, srcH - 1);
            float wy = (float) (fy - y0);
            int row0 = y0 * srcW * 3;
            int row1 = y1 * srcW * 3;
            long at = base + (long) y * width * 4;
            for (int x = 0; x < width; x++) {
                int a = x0[x] * 3;
                int b = x1[x] * 3;
                float fx = wx[x];
                for (int c = 0; c < 3; c++) {
                    float top0 = (rgb[row0 + a + c] & 0xFF) * (1 - fx) + (rgb[row0 + b + c] & 0xFF) * fx;
                    float bottom = (rgb[row1 + a + c] & 0xFF) * (1 - fx) + (rgb[row1 + b + c] & 0xFF) * fx;
                    float value = top0 * (1 - wy) + bottom * wy;
                    out.set(ValueLayout.JAVA_FLOAT_UNALIGNED, at + c * plane + 4L * x, value * scale[c] - shift[c]);
                }
            }
        }
    }

    // Interleaved RGB bytes: the decoder's own buffer read directly for the common layouts (getRGB converts pixel
    // by pixel through the colour model, and applies a gamma to grey images that PIL does not).
    private static byte[] rgb(BufferedImage image) {
        int h = image.getHeight();
        int w = image.getWidth();
        byte[] out = new byte[h * w * 3];
        java.awt.image.Raster raster = image.getRaster();
        if (image.getType() == BufferedImage.TYPE_3BYTE_BGR && raster.getDataBuffer() instanceof java.awt.image.DataBufferByte bytes
                && raster.getParent() == null) {
            byte[] bgr = bytes.getData();
            for (int i = 0; i < h * w; i++) {
                out[3 * i] = bgr[3 * i + 2];
                out[3 * i + 1] = bgr[3 * i + 1];
                out[3 * i + 2] = bgr[3 * i];
            }
        } else if (raster.getNumBands() == 1 && image.getColorModel().getNumComponents() == 1) {
            int[] grey = raster.getSamples(0, 0, w, h, 0, (int[]) null);
            int bits = image.getColorModel().getComponentSize(0);
            for (int i = 0; i < grey.length; i++) {
                byte v = (byte) (bits == 8 ? grey[i] : Math.round(grey[i] * 255.0 / ((1 << bits) - 1)));
                out[3 * i] = v;
                out[3 * i + 1] = v;
                out[3 * i + 2] = v;
            }
        } else {
            int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < argb.length; i++) {
                out[3 * i] = (byte) (argb[i] >> 16);
                out[3 * i + 1] = (byte) (argb[i] >> 8);
                out[3 * i + 2] = (byte) argb[i];
            }
        }
        return out;
    }

    // JPEGs through libjpeg-turbo when installed (PIL's decoder, twice ImageIO's speed); the rest through ImageIO.
    private TurboJpeg.Image pixels(int index) throws IOException {
        Path file = files.get(index);
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (TurboJpeg.available() && (name.endsWith(".jpg") || name.endsWith(".jpeg"))) {
            return TurboJpeg.decode(Files.readAllBytes(file), file);
        }
        BufferedImage image = decode(index);
        return new TurboJpeg.Image(rgb(image), image.getHeight(), image.getWidth());
    }

    private BufferedImage decode(int index) throws IOException {
        Path file = files.get(index);
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) {
            throw new IOException(file + ": ImageIO cannot decode it (not a JPEG, PNG, BMP or GIF, or corrupt)");
        }
        return image;
    }

    private int[] preparedSize(int h, int w) {
        if (options.resize > 0) {
            double scale = (double) options.resize / Math.min(h, w);
            return new int[] {Math.max(1, (int) Math.round(h * scale)), Math.max(1, (int) Math.round(w * scale))};
        }
        return new int[] {h, w};
    }
}
