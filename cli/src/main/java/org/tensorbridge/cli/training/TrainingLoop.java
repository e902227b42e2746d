package org.tensorbridge.cli.training;

import java.util.List;
import org.tensorbridge.amp.GradScaler;
import org.tensorbridge.core.Scope;
import org.tensorbridge.data.Batch;
import org.tensorbridge.data.DataLoader;
import org.tensorbridge.nn.F;
import org.tensorbridge.nn.Module;
import org.tensorbridge.optim.LRScheduler;
import org.tensorbridge.optim.Optimizer;
import org.tensorbridge.torch.Autocast;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.Tensor;

/**
 * The training loop demo and train share: classification with cross-entropy, an optimizer stepped through a
 * GradScaler (a no-op unless float16), a per-step schedule, autocast when asked for. Every per-step and
 * per-epoch number is produced here, once, and handed to the listeners.
 */
final class TrainingLoop {
    private final Module model;
    private final Optimizer optimizer;
    private final LRScheduler schedule;
    private final GradScaler scaler;
    private final Precision precision;
    private final Device device;
    private final List<TrainingListener> listeners;

    TrainingLoop(Module model, Optimizer optimizer, LRScheduler schedule, GradScaler scaler, Precision precision,
                 Device device, List<TrainingListener> listeners) {
        this.model = model;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.scaler = scaler;
        this.precision = precision;
        this.device = device;
        this.listeners = List.copyOf(listeners);
    }

    /** How many of the predictions (the largest logit of each row) equal the labels. */
    static long correct(Tensor logits, Tensor labels) {
        return logits.argmax(1, false).eq(labels).sum().itemLong();
    }

    /** Runs {@code epochs} epochs or {@code totalSteps} steps, whichever ends first; returns the steps done. */
    long run(DataLoader loader, int epochs, long totalSteps) {
        long start = System.nanoTime();
        listeners.forEach(l -> l.started(totalSteps, loader.size(), epochs));
        long step = 0;
        for (int epoch = 1; epoch <= epochs && step < totalSteps; epoch++) {
            model.train();
            long epochStart = System.nanoTime();
            double lossSum = 0;
            long correct = 0, samples = 0, stepInEpoch = 0;
            try (DataLoader.Epoch batches = loader.epoch(epoch - 1)) {
                long fetchStart = System.nanoTime();  // the time until the loader hands out a batch is its wait
                for (Batch batch : batches) {
                    long stepStart = System.nanoTime();
                    double lr = optimizer.paramGroups().getFirst().lr();
                    long n = batch.size();
                    double loss;
                    long right;
                    try (Scope perStep = Scope.open(); batch) {
                        Tensor logits;
                        Tensor lossTensor;
                        try (Autocast amp = precision.autocastType() == null ? null
                                : Autocast.enable(device.type(), precision.autocastType())) {
                            logits = model.forward(batch.get("x"));
                            lossTensor = F.crossEntropy(logits, batch.get("y"));
                        }
                        optimizer.zeroGrad();
                        scaler.scale(lossTensor).backward();
                        scaler.step(optimizer);
                        scaler.update();
                        schedule.step();
                        loss = lossTensor.item();
                        right = correct(logits, batch.get("y"));
                    }
                    step++;
                    stepInEpoch++;
                    lossSum += loss;
                    correct += right;
                    samples += n;
                    long now = System.nanoTime();
                    StepStats stats = new StepStats(step, epoch, stepInEpoch, n, loss, lr, (now - stepStart) / 1e9,
                            (stepStart - fetchStart) / 1e9);
                    listeners.forEach(l -> l.step(stats));
                    if (step >= totalSteps) {
                        break;
                    }
                    fetchStart = System.nanoTime();
                }
            }
            EpochStats stats = new EpochStats(epoch, epochs, lossSum / Math.max(stepInEpoch, 1),
                    samples == 0 ? 0 : (double) correct / samples, samples, (System.nanoTime() - epochStart) / 1e9);
            listeners.forEach(l -> l.epoch(stats));
        }
        long steps = step;
        double seconds = (System.nanoTime() - start) / 1e9;
        listeners.forEach(l -> l.finished(steps, seconds));
        return steps;
    }
}
