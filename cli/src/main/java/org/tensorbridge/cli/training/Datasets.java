package org.tensorbridge.cli.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.tensorbridge.cli.EnvironmentException;
import org.tensorbridge.cli.progress.ProgressDisplay;
import org.tensorbridge.cli.progress.Progresses;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;
import org.tensorbridge.data.ArrayDataset;
import org.tensorbridge.data.IdxFiles;
import org.tensorbridge.data.csv.CsvDataset;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.io.NpzFile;

/**
 * The datasets {@code train --dataset} reads: {@code fashion-mnist} (Debian's dataset-fashion-mnist), a directory of
 * MNIST-style IDX files ({@code train-images-idx3-ubyte[.gz]}, {@code train-labels-idx1-ubyte[.gz]}, optional
 * {@code t10k-*} for the test split), an {@code .npz} with arrays {@code x} and {@code y} (optional {@code x_test},
 * {@code y_test}), or a {@code .csv} with a header and a label column. The datasets belong to the caller's scope.
 */
public final class Datasets {
    /** Where Debian's dataset-fashion-mnist puts the IDX files. */
    /** Where Debian's dataset-fashion-mnist puts the four IDX files (a String too, for help texts). */
    public static final String FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";
    public static final Path FASHION_MNIST = Path.of(FASHION_MNIST_DIR);
    private static final float FASHION_MEAN = 0.2860f, FASHION_STD = 0.3530f;  // Fashion-MNIST's pixel statistics

    private Datasets() {
    }

    /** Reads {@code spec} (a path relative to {@code workingDirectory}); {@code images} keeps samples as [C, H, W] (for a CNN) instead of flattening them. */
    public static TrainingData load(String spec, Path workingDirectory, String labelColumn, boolean images, Progresses progress)
            throws IOException {
        if (spec.equalsIgnoreCase("fashion-mnist")) {
            if (!Files.isRegularFile(FASHION_MNIST.resolve("train-images-idx3-ubyte.gz"))) {
                throw new EnvironmentException("no Fashion-MNIST in " + FASHION_MNIST + ": install Debian's dataset-fashion-mnist"
                        + " (sudo apt-get install dataset-fashion-mnist), or pass a directory with its four IDX files");
            }
            return idx(FASHION_MNIST, images, true, progress);
        }
        Path path = workingDirectory.resolve(spec);  // relative to the command's directory
        if (Files.isDirectory(path)) {
            return idx(path, images, false, progress);
        }
        if (!Files.isRegularFile(path)) {
            throw new EnvironmentException("--dataset " + spec + ": no such file or directory (give fashion-mnist, a directory"
                    + " of IDX files, an .npz with x/y arrays or a .csv)");
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".npz")) {
            return npz(path, images, progress);
        }
        if (name.endsWith(".csv")) {
            try (ProgressDisplay bar = progress.open("reading " + path.getFileName(), 1)) {
                ArrayDataset train = CsvDataset.read(path, labelColumn);
                bar.update(1, train.size() + " rows");
                long[] shape = train.fields().get(0).shape();
                return new TrainingData(train, null, shape, classes(train.array(1), null), "CSV " + path);
            }
        }
        throw new IllegalArgumentException("--dataset " + spec + ": not a directory, .npz or .csv (give fashion-mnist, a"
                + " directory of IDX files, an .npz with x/y arrays or a .csv)");
    }

    private static TrainingData idx(Path dir, boolean images, boolean fashion, Progresses progress) throws IOException {
        Path trainImages = find(dir, "train-images-idx3-ubyte");
        Path trainLabels = find(dir, "train-labels-idx1-ubyte");
        if (trainImages == null || trainLabels == null) {
            throw new EnvironmentException(dir + " has no train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]:"
                    + " an IDX dataset directory holds MNIST's file names");
        }
        Path testImages = find(dir, "t10k-images-idx3-ubyte");
        Path testLabels = find(dir, "t10k-labels-idx1-ubyte");
        boolean hasTest = testImages != null && testLabels != null;
        try (Scope scope = Scope.open(); ProgressDisplay bar = progress.open("reading " + dir, hasTest ? 4 : 2)) {
            NDArray x = IdxFiles.read(trainImages);
            bar.update(1, trainImages.getFileName().toString());
            NDArray y = IdxFiles.read(trainLabels);
            bar.update(2, trainLabels.getFileName().toString());
            if (x.ndim() != 3) {
                throw new IllegalArgumentException(trainImages + " holds an array of shape " + Arrays.toString(x.shape())
                        + ": an IDX image file holds [N, height, width]");
            }
            float mean = FASHION_MEAN, std = FASHION_STD;
            NDArray scaled = x.astype(DType.FLOAT32).div(255.0);
            if (!fashion) {  // another dataset: its own pixel statistics
                mean = (float) scaled.mean().item();
                std = (float) Math.max(scaled.std().item(), 1e-6);
            }
            ArrayDataset train = ArrayDataset.of(samples(scaled.sub(mean).div(std), images), y.astype(DType.INT64));
            ArrayDataset test = null;
            NDArray testY = null;
            if (hasTest) {
                NDArray tx = IdxFiles.read(testImages);
                bar.update(3, testImages.getFileName().toString());
                testY = IdxFiles.read(testLabels).astype(DType.INT64);
                bar.update(4, testLabels.getFileName().toString());
                test = ArrayDataset.of(samples(tx.astype(DType.FLOAT32).div(255.0).sub(mean).div(std), images), testY);
            }
            long[] shape = train.fields().get(0).shape();
            int classes = classes(train.array(1), testY);
            scope.keep(train);
            if (test != null) {
                scope.keep(test);
            }
            return new TrainingData(train, test, shape, classes, (fashion ? "Fashion-MNIST" : "IDX") + " " + dir);
        }
    }

    private static TrainingData npz(Path path, boolean images, Progresses progress) throws IOException {
        try (Scope scope = Scope.open(); ProgressDisplay bar = progress.open("reading " + path.getFileName(), 1)) {
            Map<String, NDArray> arrays = NpzFile.read(path);
            bar.update(1, arrays.size() + " arrays");
            NDArray x = arrays.get("x"), y = arrays.get("y");
            if (x == null || y == null) {
                throw new IllegalArgumentException(path + " has arrays " + arrays.keySet() + "; training needs 'x' (samples"
                        + " along the first axis) and 'y' (integer class labels), optionally 'x_test' and 'y_test'");
            }
            ArrayDataset train = ArrayDataset.of(samples(x.astype(DType.FLOAT32), images), labels(path, "y", y));
            ArrayDataset test = null;
            NDArray testY = null;
            if (arrays.containsKey("x_test") && arrays.containsKey("y_test")) {
                testY = labels(path, "y_test", arrays.get("y_test"));
                test = ArrayDataset.of(samples(arrays.get("x_test").astype(DType.FLOAT32), images), testY);
            }
            long[] shape = train.fields().get(0).shape();
            int classes = classes(train.array(1), testY);
            scope.keep(train);
            if (test != null) {
                scope.keep(test);
            }
            return new TrainingData(train, test, shape, classes, "npz " + path);
        }
    }

    private static NDArray labels(Path path, String name, NDArray y) {
        if (!y.dtype().isInteger() || y.ndim() != 1) {
            throw new IllegalArgumentException(path + ": '" + name + "' is " + y.dtype().numpyName() + " of shape "
                    + Arrays.toString(y.shape()) + "; class labels are a 1-d integer array");
        }
        return y.astype(DType.INT64);
    }

    /** Flattened [N, features] for an MLP; [N, C, H, W] for a CNN ([N, H, W] gets one channel). */
    private static NDArray samples(NDArray x, boolean images) {
        long n = x.shape(0);
        if (!images) {
            return x.reshape(n, x.ndim() == 1 ? 1 : -1);
        }
        return x.ndim() == 3 ? x.reshape(n, 1, x.shape(1), x.shape(2)) : x;
    }

    private static int classes(NDArray trainLabels, NDArray testLabels) {
        long min = (long) trainLabels.min().item();
        long max = (long) trainLabels.max().item();
        if (testLabels != null) {
            min = Math.min(min, (long) testLabels.min().item());
            max = Math.max(max, (long) testLabels.max().item());
        }
        if (min < 0) {
            throw new IllegalArgumentException("a class label is " + min + ": labels are 0 .. classes-1");
        }
        if (max >= 100_000) {
            throw new IllegalArgumentException("the largest class label is " + max + ": labels are 0 .. classes-1");
        }
        return (int) max + 1;
    }

    private static Path find(Path dir, String name) {
        for (String candidate : new String[] {name + ".gz", name}) {
            Path path = dir.resolve(candidate);
            if (Files.isRegularFile(path)) {
                return path;
            }
        }
        return null;
    }
}
