package org.tensorbridge.cli.training;

import java.util.Arrays;
import java.util.Locale;
import org.tensorbridge.cli.UsageException;
import org.tensorbridge.nn.Activation;
import org.tensorbridge.nn.Conv2d;
import org.tensorbridge.nn.Dropout;
import org.tensorbridge.nn.Linear;
import org.tensorbridge.nn.Pool;
import org.tensorbridge.nn.Sequential;

/**
 * The small models {@code train --model} offers, built from the train module's layers with PyTorch's layer
 * names, so a checkpoint loads into the same {@code torch.nn.Sequential} in Python.
 */
public final class BuiltinModels {
    private BuiltinModels() {
    }

    /**
     * {@code mlp}: in-256-128-classes with ReLU and dropout 0.1 (the demo's model). {@code cnn}: two 3x3
     * convolutions (16 and 32 channels, ReLU, 2x2 max pooling) and a linear classifier; it needs images
     * ({@code [C, H, W]} samples, H and W at least 4).
     */
    public static Sequential build(String kind, long[] sampleShape, int classes) {
        return switch (kind.toLowerCase(Locale.ROOT)) {
            case "mlp" -> mlp(Arrays.stream(sampleShape).reduce(1, Math::multiplyExact), classes);
            case "cnn" -> cnn(sampleShape, classes);
            default -> throw new UsageException("--model " + kind + ": the built-in models are mlp and cnn");
        };
    }

    /** Refuses an unknown kind before anything is started. */
    public static String requireKnown(String kind) {
        if (!kind.equalsIgnoreCase("mlp") && !kind.equalsIgnoreCase("cnn")) {
            throw new UsageException("--model " + kind + ": the built-in models are mlp and cnn");
        }
        return kind;
    }

    /** What {@code kind} describes itself as, for the run's first line. */
    public static String describe(String kind, long[] sampleShape, int classes) {
        long features = Arrays.stream(sampleShape).reduce(1, Math::multiplyExact);
        return kind.equalsIgnoreCase("cnn") ? "CNN conv16-conv32-linear on " + Arrays.toString(sampleShape) + " -> " + classes
                : "MLP " + features + "-256-128-" + classes;
    }

    static Sequential mlp(long features, int classes) {
        return new Sequential(new Linear(features, 256), Activation.relu(), new Dropout(0.1),
                new Linear(256, 128), Activation.relu(), new Linear(128, classes));
    }

    static Sequential cnn(long[] shape, int classes) {
        if (shape.length != 3 || shape[1] < 4 || shape[2] < 4) {
            throw new UsageException("--model cnn needs images: samples of shape [channels, height, width] (or"
                    + " [height, width]) of at least 4x4; this dataset's samples are " + Arrays.toString(shape)
                    + ": use --model mlp");
        }
        long flat = 32 * (shape[1] / 4) * (shape[2] / 4);
        return new Sequential(new Conv2d(shape[0], 16, 3, 1, 1), Activation.relu(), Pool.maxPool2d(2),
                new Conv2d(16, 32, 3, 1, 1), Activation.relu(), Pool.maxPool2d(2), Activation.flatten(),
                new Linear(flat, classes));
    }
}
