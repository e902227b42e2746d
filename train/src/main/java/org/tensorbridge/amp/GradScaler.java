package org.tensorbridge.amp;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;
import org.tensorbridge.optim.Optimizer;
import org.tensorbridge.optim.ParamGroup;
import org.tensorbridge.torch.DeviceType;
import org.tensorbridge.torch.GradMode;
import org.tensorbridge.torch.Op;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.TensorOptions;
import org.tensorbridge.torch.TorchException;

/**
 * Loss scaling for float16 training, with PyTorch's GradScaler algorithm and defaults: scale 2^16, growth
 * 2.0 after 2000 consecutive steps without inf/NaN gradients, backoff 0.5 on a step with any, which is
 * skipped.
 * <pre>{@code
 * try (GradScaler scaler = new GradScaler()) {
 *     scaler.scale(loss).backward();
 *     scaler.unscale_(optimizer);                 // optional: before clipping
 *     ClipGrad.clipGradNorm(params, 1.0);
 *     scaler.step(optimizer);                     // skipped when a gradient is inf/NaN
 *     scaler.update();
 * }
 * }</pre>
 * Unscaling uses libtorch's fused {@code _amp_foreach_non_finite_check_and_unscale_} and
 * {@code _amp_update_scale_} where the loaded libtorch has them for the device (CUDA; the CPU from
 * torch 2.3), and the same arithmetic in composite ops elsewhere: {@code inv_scale = float(1 / double(scale))},
 * the scale and growth tracker updated in float32 exactly as the fused kernel does.
 */
public final class GradScaler implements AutoCloseable {
    private static final Op IS_FINITE = Op.of("aten::isfinite");
    private static final Op ALL = Op.of("aten::all");
    /** Whether the fused kernels run on a device type, learnt on first use. */
    private static final Map<DeviceType, Boolean> FUSED = new ConcurrentHashMap<>();

    private double growthFactor;
    private double backoffFactor;
    private int growthInterval;
    private final boolean enabled;
    private float scale;
    private int growthTracker;
    private final Map<Optimizer, Stage> stages = new IdentityHashMap<>();
    private boolean anyInf;

    private enum Stage { READY, UNSCALED, STEPPED }

    private final Map<Optimizer, Boolean> foundInf = new IdentityHashMap<>();

    /** PyTorch's defaults: init_scale 65536, growth_factor 2.0, backoff_factor 0.5, growth_interval 2000. */
    public GradScaler() {
        this(65536.0, 2.0, 0.5, 2000, true);
    }

    public GradScaler(double initScale, double growthFactor, double backoffFactor, int growthInterval, boolean enabled) {
        if (growthFactor <= 1.0) {
            throw new IllegalArgumentException("The growth factor must be > 1.0, got " + growthFactor);
        }
        if (backoffFactor >= 1.0) {
            throw new IllegalArgumentException("The backoff factor must be < 1.0, got " + backoffFactor);
        }
        this.scale = (float) initScale;
        this.growthFactor = growthFactor;
        this.backoffFactor = backoffFactor;
        this.growthInterval = growthInterval;
        this.enabled = enabled;
    }

    public boolean isEnabled() {
        return enabled;
    }

    /** {@code loss * scale} (a new tensor); the loss itself when disabled (as a new handle). */
    public Tensor scale(Tensor loss) {
        return enabled ? loss.mul((double) scale) : loss.alias();
    }

    /** The current scale (1.0 when disabled). */
    public double getScale() {
        return enabled ? scale : 1.0;
    }

    public int growthTracker() {
        return growthTracker;
    }

    /**
     * Divides the optimizer's gradients by the scale, in place, and records whether any is inf/NaN. At most
     * once per optimizer between updates; call it before clipping.
     */
    public void unscale_(Optimizer optimizer) {
        if (!enabled) {
            return;
        }
        Stage stage = stages.getOrDefault(optimizer, Stage.READY);
        if (stage == Stage.UNSCALED) {
            throw new IllegalStateException("unscale_() has already been called on this optimizer since the last update().");
        }
        if (stage == Stage.STEPPED) {
            throw new IllegalStateException("unscale_() is being called after step().");
        }
        float invScale = (float) (1.0 / (double) scale);
        boolean inf = false;
        try (GradMode noGrad = GradMode.disabled(); Scope s = Scope.open()) {
            Map<DeviceType, List<Tensor>> byDevice = new LinkedHashMap<>();
            for (ParamGroup g : optimizer.paramGroups()) {
                for (Tensor p : g.params()) {
                    Tensor grad = p.grad();
                    if (grad != null) {
                        if (grad.dtype() == DType.FLOAT16 && p.dtype() == DType.FLOAT16) {
                            throw new IllegalArgumentException("Attempting to unscale FP16 gradients: keep the parameters in"
                                    + " float32 and let autocast produce float16 activations");
                        }
                        byDevice.computeIfAbsent(grad.device().type(), k -> new ArrayList<>()).add(grad);
                    }
                }
            }
            for (Map.Entry<DeviceType, List<Tensor>> e : byDevice.entrySet()) {
                inf |= unscale(e.getKey(), e.getValue(), invScale);
            }
        }
        foundInf.put(optimizer, inf);
        stages.put(optimizer, Stage.UNSCALED);
    }

    private static boolean unscale(DeviceType type, List<Tensor> grads, float invScale) {
        if (FUSED.getOrDefault(type, true)) {
            Tensor first = grads.get(0);
            Tensor found = Tensor.zeros(TensorOptions.DEFAULT.device(first.device()), 1);
            Tensor inv = Tensor.full(TensorOptions.DEFAULT.device(first.device()), invScale, 1);
            try {
                Op.of("aten::_amp_foreach_non_finite_check_and_unscale_").call(grads, found, inv).close();
                FUSED.put(type, true);
                return found.item() != 0;
            } catch (TorchException e) {
                // No kernel for this device in the loaded libtorch (1.13's CPU): the composite path below.
                FUSED.put(type, false);
            }
        }
        boolean inf = false;
        for (Tensor g : grads) {
            // The fused kernel's arithmetic: check the scaled gradient, then multiply by inv_scale (float32).
            if (!inf && ALL.apply(IS_FINITE.apply(g)).itemLong() == 0) {
                inf = true;
            }
            g.mul_((double) invScale);
        }
        return inf;
    }

    /**
     * Unscales (unless {@link #unscale_} was called) and runs {@code optimizer.step()} unless a gradient was
     * inf/NaN; returns whether it stepped.
     */
    public boolean step(Optimizer optimizer) {
        if (!enabled) {
            optimizer.step();
            return true;
        }
        Stage stage = stages.getOrDefault(optimizer, Stage.READY);
        if (stage == Stage.STEPPED) {
            throw new IllegalStateException("step() has already been called since the last update().");
        }
        if (stage == Stage.READY) {
            unscale_(optimizer);
        }
        boolean inf = foundInf.get(optimizer);
        anyInf |= inf;
        stages.put(optimizer, Stage.STEPPED);
        if (!inf) {
            optimizer.step();
        }
        return !inf;
    }

    /** Updates the scale after the step(s) of one iteration: backoff on inf/NaN, growth after growthInterval clean steps. */
    public void update() {
        if (!enabled) {
            return;
        }
        if (stages.isEmpty()) {
            throw new IllegalStateException("No inf checks were recorded prior to update(): call step() (or unscale_()) first");
        }
        boolean inf = anyInf;
        for (Map.Entry<Optimizer, Boolean> e : foundInf.entrySet()) {
            inf |= e.getValue();
        }
        // _amp_update_scale_'s arithmetic, in float32.
        if (inf) {
            scale = (float) (scale * backoffFactor);
            growthTracker = 0;
        } else {
            int successful = growthTracker + 1;
            if (successful == growthInterval) {
                float grown = (float) (scale * growthFactor);
                if (Float.isFinite(grown)) {
                    scale = grown;
                }
                growthTracker = 0;
            } else {
                growthTracker = successful;
            }
        }
        stages.clear();
        foundInf.clear();
        anyInf = false;
    }

    /** PyTorch's keys: scale, growth_factor, backoff_factor, growth_interval, _growth_tracker. */
    public Map<String, Object> stateDict() {
        Map<String, Object> state = new LinkedHashMap<>();
        if (!enabled) {
            return state;
        }
        state.put("scale", (double) scale);
        state.put("growth_factor", growthFactor);
        state.put("backoff_factor", backoffFactor);
        state.put("growth_interval", (long) growthInterval);
        state.put("_growth_tracker", (long) growthTracker);
        return state;
    }

    public void loadStateDict(Map<String, Object> state) {
        if (!enabled) {
            return;
        }
        if (state.isEmpty()) {
            throw new IllegalArgumentException("The source state dict is empty, possibly because it was saved from a disabled"
                    + " instance of GradScaler.");
        }
        scale = ((Number) state.get("scale")).floatValue();
        growthFactor = ((Number) state.getOrDefault("growth_factor", growthFactor)).doubleValue();
        backoffFactor = ((Number) state.getOrDefault("backoff_factor", backoffFactor)).doubleValue();
        growthInterval = ((Number) state.getOrDefault("growth_interval", growthInterval)).intValue();
        growthTracker = ((Number) state.get("_growth_tracker")).intValue();
    }

    @Override
    public void close() {
        stages.clear();
        foundInf.clear();
    }
}
