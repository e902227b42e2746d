package org.tensorbridge.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.tensorbridge.amp.GradScaler;
import org.tensorbridge.checkpoint.Checkpoints;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;
import org.tensorbridge.data.ArrayDataset;
import org.tensorbridge.data.Batch;
import org.tensorbridge.data.DataLoader;
import org.tensorbridge.data.IdxFiles;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.nn.Activation;
import org.tensorbridge.nn.Dropout;
import org.tensorbridge.nn.F;
import org.tensorbridge.nn.Linear;
import org.tensorbridge.nn.Sequential;
import org.tensorbridge.optim.Adam;
import org.tensorbridge.optim.LRScheduler;
import org.tensorbridge.torch.Autocast;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.DeviceType;
import org.tensorbridge.torch.GradMode;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.Torch;

/**
 * {@code tensorbridge demo}: the main job. Trains a classifier on Fashion-MNIST (Debian's
 * {@code dataset-fashion-mnist}, IDX files read without a copy) on the best device — a 784-256-128-10 MLP
 * with dropout, AdamW and a cosine schedule, mixed precision (float16 + GradScaler) on CUDA — prints
 * progress and the test accuracy, and saves the model as a torch.save checkpoint Python loads with
 * {@code torch.load(path, weights_only=True)}.
 */
final class DemoCommand implements Main.Command {
    static final Path DATA = Path.of("/usr/share/datasets/fashion-mnist");
    private static final float MEAN = 0.2860f, STD = 0.3530f;  // Fashion-MNIST's pixel statistics
    private static final String USAGE = "usage: tensorbridge demo [--epochs N] [--batch N] [--lr X] [--device auto|cpu|cuda[:i]]"
            + " [--out DIR] [--max-steps N] [--data DIR]";

    @Override
    public int run(String[] args, PrintStream out) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            out.println(e.getMessage());
            out.println(USAGE);
            return 2;
        }
        if (o == null) {
            out.println(USAGE);
            return 0;
        }
        if (!Files.isRegularFile(o.data.resolve("train-images-idx3-ubyte.gz"))) {
            out.println("no Fashion-MNIST in " + o.data + ": install Debian's dataset-fashion-mnist"
                    + " (sudo apt-get install dataset-fashion-mnist), or pass --data DIR with its four IDX files");
            return 1;
        }
        Device device = o.device;
        boolean cuda = device.type() == DeviceType.CUDA;
        out.printf("tensorbridge demo: Fashion-MNIST, MLP 784-256-128-10, AdamW + cosine, %s, libtorch %s on %s%n",
                cuda ? "float16 autocast + GradScaler" : "float32", Torch.version(), device);
        Torch.manualSeed(0);
        Torch.setNumThreads(Runtime.getRuntime().availableProcessors());  // Debian's libtorch starts with one
        long start = System.nanoTime();
        try (Scope run = Scope.open()) {
            ArrayDataset train = dataset(o.data, "train");
            ArrayDataset test = dataset(o.data, "t10k");
            try (Sequential model = new Sequential(new Linear(784, 256), Activation.relu(), new Dropout(0.1),
                    new Linear(256, 128), Activation.relu(), new Linear(128, 10));
                 DataLoader trainLoader = DataLoader.builder(train).batchSize(o.batch).shuffle(0).device(device).build();
                 DataLoader testLoader = DataLoader.builder(test).batchSize(1000).device(device).build();
                 GradScaler scaler = new GradScaler(65536.0, 2.0, 0.5, 2000, cuda)) {
                model.to(device);
                long stepsPerEpoch = trainLoader.size();
                long totalSteps = o.maxSteps > 0 ? Math.min(o.maxSteps, stepsPerEpoch * o.epochs) : stepsPerEpoch * o.epochs;
                try (Adam optimizer = Adam.adamW(model.parameters(), o.lr)) {  // owns its moment tensors
                    return train(o, model, optimizer, scaler, trainLoader, testLoader, totalSteps, cuda, start, out);
                }
            }
        }
    }

    private static int train(Options o, Sequential model, Adam optimizer, GradScaler scaler, DataLoader trainLoader,
                             DataLoader testLoader, long totalSteps, boolean cuda, long start, PrintStream out)
            throws java.io.IOException {
        LRScheduler schedule = LRScheduler.cosineAnnealingLR(optimizer, (int) totalSteps, 0);
        long step = 0;
        for (int epoch = 0; epoch < o.epochs && step < totalSteps; epoch++) {
            model.train();
            double lossSum = 0;
            int lossCount = 0;
            long epochStart = System.nanoTime();
            for (Batch batch : trainLoader.epoch(epoch)) {
                try (Scope perStep = Scope.open(); batch) {
                    Tensor loss;
                    try (Autocast amp = cuda ? Autocast.enable(DeviceType.CUDA, DType.FLOAT16) : null) {
                        loss = F.crossEntropy(model.forward(batch.get("x")), batch.get("y"));
                    }
                    optimizer.zeroGrad();
                    scaler.scale(loss).backward();
                    scaler.step(optimizer);
                    scaler.update();
                    schedule.step();
                    lossSum += loss.item();
                    lossCount++;
                }
                if (++step % 100 == 0) {
                    double seconds = (System.nanoTime() - epochStart) / 1e9;
                    out.printf(Locale.ROOT, "epoch %d  step %5d/%d  loss %.4f  %.0f samples/s%n", epoch + 1, step,
                            totalSteps, lossSum / lossCount, lossCount * (double) o.batch / seconds);
                }
                if (step >= totalSteps) {
                    break;
                }
            }
            out.printf(Locale.ROOT, "epoch %d done: train loss %.4f (%.1f s)%n", epoch + 1,
                    lossSum / Math.max(lossCount, 1), (System.nanoTime() - start) / 1e9);
        }
        double accuracy = accuracy(model, testLoader);
        Files.createDirectories(o.out);
        Path checkpoint = o.out.resolve("fashion_mlp.pt");
        try (Scope saving = Scope.open()) {
            model.to(Device.CPU);
            Checkpoints.save(checkpoint, model.stateDict());
        }
        out.printf(Locale.ROOT, "test accuracy %.2f%% after %d steps in %.1f s; checkpoint %s (torch.load(path,"
                + " weights_only=True) reads it)%n", accuracy * 100, step, (System.nanoTime() - start) / 1e9, checkpoint);
        return 0;
    }

    /** Images as float32 [N, 784], normalised in Java; labels as int64 [N]. */
    static ArrayDataset dataset(Path dir, String split) throws java.io.IOException {
        try (Scope scope = Scope.open()) {
            NDArray images = IdxFiles.read(dir.resolve(split + "-images-idx3-ubyte.gz"));
            NDArray labels = IdxFiles.read(dir.resolve(split + "-labels-idx1-ubyte.gz"));
            NDArray x = images.reshape(images.shape(0), 784).astype(DType.FLOAT32).div(255.0).sub(MEAN).div(STD);
            return scope.keep(ArrayDataset.of(x, labels.astype(DType.INT64)));
        }
    }

    static double accuracy(Sequential model, DataLoader loader) {
        model.eval();
        long correct = 0;
        long total = 0;
        try (GradMode noGrad = GradMode.disabled()) {
            for (Batch batch : loader.epoch(0)) {
                try (Scope scope = Scope.open(); batch) {
                    Tensor predicted = model.forward(batch.get("x")).argmax(1, false);
                    correct += predicted.eq(batch.get("y")).sum().itemLong();
                    total += batch.size();
                }
            }
        }
        return (double) correct / total;
    }

    private record Options(int epochs, int batch, double lr, Device device, Path out, long maxSteps, Path data) {
        static Options parse(String[] args) {
            int epochs = 8;
            int batch = 256;
            double lr = 2e-3;
            Device device = Device.best();
            Path out = Path.of("runs", "demo");
            long maxSteps = 0;
            Path data = DATA;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("--help") || arg.equals("-h")) {
                    return null;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + arg + " needs a value (or is unknown)");
                }
                String value = args[++i];
                try {
                    switch (arg) {
                        case "--epochs" -> epochs = positive(arg, Integer.parseInt(value));
                        case "--batch" -> batch = positive(arg, Integer.parseInt(value));
                        case "--lr" -> lr = Double.parseDouble(value);
                        case "--device" -> device = value.equals("auto") ? Device.best() : Device.parse(value);
                        case "--out" -> out = Path.of(value);
                        case "--max-steps" -> maxSteps = positive(arg, Integer.parseInt(value));
                        case "--data" -> data = Path.of(value);
                        default -> throw new IllegalArgumentException("unknown option " + arg);
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(arg + " needs a number, not '" + value + "'");
                }
            }
            return new Options(epochs, batch, lr, device, out, maxSteps, data);
        }

        private static int positive(String option, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(option + " must be at least 1, not " + value);
            }
            return value;
        }
    }

    @Override
    public String summary() {
        return "train a classifier on Fashion-MNIST (loader, AdamW, cosine schedule, AMP on CUDA) and save a checkpoint";
    }
}
