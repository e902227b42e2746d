package org.tensorbridge.dist;

import static org.tensorbridge.dist.Scenarios.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tensorbridge.amp.GradScaler;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;
import org.tensorbridge.data.ArrayDataset;
import org.tensorbridge.data.Batch;
import org.tensorbridge.data.DataLoader;
import org.tensorbridge.data.Sampler;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.nn.Activation;
import org.tensorbridge.nn.F;
import org.tensorbridge.nn.Linear;
import org.tensorbridge.nn.Sequential;
import org.tensorbridge.optim.Adam;
import org.tensorbridge.optim.Optimizer;
import org.tensorbridge.optim.SGD;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.Torch;

/**
 * Training as a user writes it, on each of 2 ranks: a model from the train module, Adam or SGD with momentum, a
 * GradScaler (enabled: PyTorch's arithmetic on the CPU too), a DataLoader over {@code Sampler.distributed}, and
 * DataParallel; against 1 process stepping on the doubled batch (rank 0's rows then rank 1's). At global step
 * {@link #POISONED_STEP} rank 1's loss is made infinite: the averaged gradients are then non-finite on every rank, so
 * every rank skips that step and backs off the scale, as the single process (whose whole batch is poisoned) does.
 */
final class TrainingScenario {
    static final int SAMPLES = 96, FEATURES = 8, BATCH = 8, EPOCHS = 2, WORLD = 2, POISONED_STEP = 3;
    static final long SAMPLER_SEED = 17;

    private TrainingScenario() {
    }

    /** The data set, identical on every process: "x" features, "y" targets, "i" the sample's index. */
    static Map<String, NDArray> arrays() {
        Random random = new Random(2024);
        float[] x = new float[SAMPLES * FEATURES], y = new float[SAMPLES];
        long[] index = new long[SAMPLES];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < SAMPLES; i++) {
            y[i] = (float) (Math.sin(x[i * FEATURES]) + 0.5 * x[i * FEATURES + 1] + 0.1 * random.nextGaussian());
            index[i] = i;
        }
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        arrays.put("x", NDArray.of(x, SAMPLES, FEATURES));
        arrays.put("y", NDArray.of(y, SAMPLES, 1));
        arrays.put("i", NDArray.of(index, SAMPLES));
        return arrays;
    }

    static Sequential model(long seed) {
        Torch.manualSeed(seed);
        return new Sequential(new Linear(FEATURES, 16), Activation.tanh(), new Linear(16, 1));
    }

    static Optimizer optimizer(String kind, List<Tensor> params) {
        return switch (kind) {
            case "adam" -> Adam.adam(params, 0.01);
            case "sgd" -> new SGD(params, 0.05, 0.9, 0, 1e-4, false);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    static GradScaler scaler() {
        return new GradScaler(1024.0, 2.0, 0.5, 2, true);  // grows every 2 clean steps: the scale moves during the run
    }

    /** One optimizer step through the scaler; false when the scaler skipped it. */
    static boolean step(Tensor loss, GradScaler scaler, Optimizer optimizer, DataParallel ddp) {
        Tensor scaled = scaler.scale(loss);
        if (ddp == null) {
            scaled.backward();
        } else {
            ddp.backward(scaled);
        }
        boolean stepped = scaler.step(optimizer);
        scaler.update();
        optimizer.zeroGrad();
        return stepped;
    }

    /**
     * This rank's training with the loader and DataParallel; returns the final parameters and checks the shards. Call it
     * inside a scope (it owns the arrays and the results).
     */
    static List<Tensor> trainParallel(ProcessGroup group, String optimizerKind, List<Double> scales) {
        int rank = group.rank();
        Map<String, NDArray> arrays = arrays();
        List<Tensor> result = new ArrayList<>();
        try (ArrayDataset data = ArrayDataset.of(arrays);
                Sequential model = model(rank == 0 ? 0 : 99);  // rank 1's own start is replaced by rank 0's
                DataParallel ddp = new DataParallel(group, model.parameters(), 1);
                Optimizer optimizer = optimizer(optimizerKind, model.parameters());
                GradScaler scaler = scaler();
                DataLoader loader = DataLoader.builder(data).batchSize(BATCH).workers(0)
                        .sampler(Sampler.distributed(SAMPLES, rank, WORLD, true, SAMPLER_SEED, false)).build()) {
            int global = 0;
            for (int epoch = 0; epoch < EPOCHS; epoch++) {
                List<Long> seen = new ArrayList<>();
                for (Batch batch : loader.epoch(epoch)) {
                    try (Scope scope = Scope.open(); batch) {
                        Arrays.stream(batch.get("i").toLongArray()).forEach(seen::add);
                        Tensor loss = F.mseLoss(model.forward(batch.get("x")), batch.get("y"));
                        if (global == POISONED_STEP && rank == 1) {
                            loss = loss.mul(Double.POSITIVE_INFINITY);
                        }
                        boolean stepped = step(loss, scaler, optimizer, ddp);
                        check(stepped == (global != POISONED_STEP), "rank " + rank + " step " + global + " stepped: " + stepped);
                        Scenarios.checkOverlap(ddp);
                        scales.add(scaler.getScale());
                        global++;
                    }
                }
                checkShards(group, epoch, seen);
            }
            for (Tensor p : model.parameters()) {
                result.add(p.detach().clone());
            }
        }
        return result;
    }

    /** The loader gave this rank Sampler.distributed's shard, in order; the ranks' shards are disjoint and cover all. */
    static void checkShards(ProcessGroup group, int epoch, List<Long> seen) {
        long[] mine = seen.stream().mapToLong(Long::longValue).toArray();
        long[] expected = Sampler.distributed(SAMPLES, group.rank(), WORLD, true, SAMPLER_SEED, false).indices(epoch);
        check(Arrays.equals(mine, expected), "rank " + group.rank() + " epoch " + epoch + ": the loader's samples "
                + Arrays.toString(mine) + " are not the sampler's shard " + Arrays.toString(expected));
        try (Scope scope = Scope.open()) {
            List<Tensor> all = List.of(Tensor.zeros(org.tensorbridge.torch.TensorOptions.of(DType.INT64), mine.length),
                    Tensor.zeros(org.tensorbridge.torch.TensorOptions.of(DType.INT64), mine.length));
            group.allGather(all, Tensor.of(mine, mine.length));
            long[] union = Tensor.cat(all, 0).toLongArray();
            check(union.length == SAMPLES && Arrays.stream(union).distinct().count() == SAMPLES,
                    "epoch " + epoch + ": the ranks' shards are disjoint and cover the " + SAMPLES + " samples: "
                            + Arrays.toString(union));
        }
    }

    /** One process on the doubled batch: rank 0's rows of each step, then rank 1's. Call it inside a scope. */
    static List<Tensor> trainSingle(String optimizerKind, List<Double> scales) {
        Map<String, NDArray> arrays = arrays();
        NDArray xs = arrays.get("x"), ys = arrays.get("y");
        Tensor x = Tensor.of(xs.toFloatArray(), SAMPLES, FEATURES), y = Tensor.of(ys.toFloatArray(), SAMPLES, 1);
        List<Tensor> result = new ArrayList<>();
        try (Sequential model = model(0); Optimizer optimizer = optimizer(optimizerKind, model.parameters());
                GradScaler scaler = scaler()) {
            int global = 0;
            for (int epoch = 0; epoch < EPOCHS; epoch++) {
                long[] shard0 = Sampler.distributed(SAMPLES, 0, WORLD, true, SAMPLER_SEED, false).indices(epoch);
                long[] shard1 = Sampler.distributed(SAMPLES, 1, WORLD, true, SAMPLER_SEED, false).indices(epoch);
                for (int from = 0; from < shard0.length; from += BATCH) {
                    try (Scope scope = Scope.open()) {
                        long[] rows = new long[2 * BATCH];
                        System.arraycopy(shard0, from, rows, 0, BATCH);
                        System.arraycopy(shard1, from, rows, BATCH, BATCH);
                        Tensor index = Tensor.of(rows, rows.length);
                        Tensor loss = F.mseLoss(model.forward(x.indexSelect(0, index)), y.indexSelect(0, index));
                        if (global == POISONED_STEP) {
                            loss = loss.mul(Double.POSITIVE_INFINITY);
                        }
                        step(loss, scaler, optimizer, null);
                        scales.add(scaler.getScale());
                        global++;
                    }
                }
            }
            for (Tensor p : model.parameters()) {
                result.add(p.detach().clone());
            }
        }
        return result;  // the arrays and tensors made here belong to the caller's scope
    }

    /** Both ways; fails unless the parameters agree within 1e-5 and the scales step for step. Returns the max diff. */
    static double parity(ProcessGroup group, String optimizerKind) {
        List<Double> parallelScales = new ArrayList<>(), singleScales = new ArrayList<>();
        double worst = 0;
        try (Scope scope = Scope.open()) {
            List<Tensor> parallel = trainParallel(group, optimizerKind, parallelScales);
            List<Tensor> single = trainSingle(optimizerKind, singleScales);
            for (int i = 0; i < single.size(); i++) {
                worst = Math.max(worst, parallel.get(i).sub(single.get(i)).abs().max().item());
            }
            try (Sequential start = model(0)) {
                double moved = parallel.get(0).sub(start.parameters().get(0)).abs().max().item();
                check(moved > 1e-3, "training moved the parameters (" + moved + ")");
            }
        }
        check(parallelScales.equals(singleScales), "the loss scale, step by step: parallel " + parallelScales
                + ", single " + singleScales);
        check(worst <= 1e-5, "rank " + group.rank() + " (" + optimizerKind + "): 2-rank training with the loader and"
                + " the GradScaler differs from 1 process on the doubled batch by " + worst);
        return worst;
    }
}
