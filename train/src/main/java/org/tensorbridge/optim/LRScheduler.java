package org.tensorbridge.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Learning-rate schedules with PyTorch's formulas (torch.optim.lr_scheduler, the chainable/recursive forms
 * PyTorch's {@code step()} uses), so 20 steps give PyTorch's learning rates. Like PyTorch, construction sets
 * each group's {@code initial_lr} and takes step 0; call {@link #step()} after each {@code optimizer.step()}.
 */
public abstract class LRScheduler {
    protected final Optimizer optimizer;
    protected final List<Double> baseLrs = new ArrayList<>();
    protected int lastEpoch = -1;
    private List<Double> lastLr = List.of();

    protected LRScheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
        for (ParamGroup g : optimizer.paramGroups()) {
            g.options().putIfAbsent("initial_lr", g.lr());
            baseLrs.add(g.getDouble("initial_lr"));
        }
    }

    /** Takes step 0; subclasses call it at the end of their constructor. */
    protected final void initialStep() {
        step();
    }

    /** The learning rates for {@link #lastEpoch}, one per group, from the groups' current ones. */
    protected abstract List<Double> computeLr();

    /** Advances one step and sets each group's lr. */
    public void step() {
        lastEpoch++;
        List<Double> lrs = computeLr();
        List<ParamGroup> groups = optimizer.paramGroups();
        for (int i = 0; i < groups.size(); i++) {
            groups.get(i).setLr(lrs.get(i));
        }
        lastLr = List.copyOf(lrs);
    }

    /** The learning rates set by the last step (PyTorch's get_last_lr()). */
    public List<Double> lastLr() {
        return lastLr;
    }

    public int lastEpoch() {
        return lastEpoch;
    }

    protected final List<Double> groupLrs() {
        List<Double> lrs = new ArrayList<>();
        for (ParamGroup g : optimizer.paramGroups()) {
            lrs.add(g.lr());
        }
        return lrs;
    }

    /** PyTorch's keys: last_epoch, base_lrs, _last_lr, _step_count and the schedule's settings. */
    public Map<String, Object> stateDict() {
        Map<String, Object> state = new LinkedHashMap<>(settings());
        state.put("base_lrs", new ArrayList<>(baseLrs));
        state.put("last_epoch", (long) lastEpoch);
        state.put("_step_count", (long) lastEpoch + 1);
        state.put("verbose", false);
        state.put("_get_lr_called_within_step", false);
        state.put("_last_lr", new ArrayList<>(lastLr));
        return state;
    }

    @SuppressWarnings("unchecked")
    public void loadStateDict(Map<String, Object> state) {
        lastEpoch = ((Number) state.get("last_epoch")).intValue();
        baseLrs.clear();
        for (Object v : (List<Object>) state.get("base_lrs")) {
            baseLrs.add(((Number) v).doubleValue());
        }
        List<Double> last = new ArrayList<>();
        for (Object v : (List<Object>) state.getOrDefault("_last_lr", List.of())) {
            last.add(((Number) v).doubleValue());
        }
        lastLr = List.copyOf(last);
        loadSettings(state);
    }

    /** The schedule's own settings, under PyTorch's attribute names. */
    protected abstract Map<String, Object> settings();

    protected void loadSettings(Map<String, Object> state) {
    }

    // ---------------------------------------------------------------- the schedules

    /** StepLR: multiply by gamma every stepSize steps. */
    public static LRScheduler stepLR(Optimizer optimizer, int stepSize, double gamma) {
        return new Simple(optimizer, Map.of("step_size", (long) stepSize, "gamma", gamma)) {
            @Override
            protected List<Double> computeLr() {
                List<Double> lrs = groupLrs();
                if (lastEpoch == 0 || lastEpoch % stepSize != 0) {
                    return lrs;
                }
                lrs.replaceAll(lr -> lr * gamma);
                return lrs;
            }
        };
    }

    /** MultiStepLR: multiply by gamma at each milestone (repeated milestones multiply repeatedly). */
    public static LRScheduler multiStepLR(Optimizer optimizer, List<Integer> milestones, double gamma) {
        Map<Object, Object> counter = new LinkedHashMap<>();
        for (int m : milestones) {
            counter.merge((long) m, 1L, (a, b) -> (Long) a + (Long) b);
        }
        return new Simple(optimizer, Map.of("milestones", counter, "gamma", gamma)) {
            @Override
            protected List<Double> computeLr() {
                List<Double> lrs = groupLrs();
                Object count = counter.get((long) lastEpoch);
                if (count == null) {
                    return lrs;
                }
                double factor = Math.pow(gamma, (Long) count);
                lrs.replaceAll(lr -> lr * factor);
                return lrs;
            }
        };
    }

    /** CosineAnnealingLR (PyTorch's recursive form) from the base lr to etaMin over tMax steps. */
    public static LRScheduler cosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        return new Simple(optimizer, Map.of("T_max", (long) tMax, "eta_min", etaMin)) {
            @Override
            protected List<Double> computeLr() {
                List<Double> lrs = groupLrs();
                if (lastEpoch == 0) {
                    return lrs;
                }
                List<Double> result = new ArrayList<>();
                for (int i = 0; i < lrs.size(); i++) {
                    double lr = lrs.get(i);
                    if ((lastEpoch - 1 - tMax) % (2 * tMax) == 0) {
                        result.add(lr + (baseLrs.get(i) - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2);
                    } else {
                        result.add((1 + Math.cos(Math.PI * lastEpoch / tMax)) / (1 + Math.cos(Math.PI * (lastEpoch - 1) / tMax))
                                * (lr - etaMin) + etaMin);
                    }
                }
                return result;
            }
        };
    }

    /** LinearLR (linear warm-up): factor from startFactor to endFactor over totalIters steps. */
    public static LRScheduler linearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
        if (startFactor > 1.0 || startFactor <= 0) {
            throw new IllegalArgumentException("Starting multiplicative factor expected to be greater than 0 and less or equal to 1");
        }
        return new Simple(optimizer, Map.of("start_factor", startFactor, "end_factor", endFactor, "total_iters", (long) totalIters)) {
            @Override
            protected List<Double> computeLr() {
                List<Double> lrs = groupLrs();
                if (lastEpoch == 0) {
                    lrs.replaceAll(lr -> lr * startFactor);
                    return lrs;
                }
                if (lastEpoch > totalIters) {
                    return lrs;
                }
                double factor = 1.0 + (endFactor - startFactor)
                        / (totalIters * startFactor + (lastEpoch - 1) * (endFactor - startFactor));
                lrs.replaceAll(lr -> lr * factor);
                return lrs;
            }
        };
    }

    /**
     * OneCycleLR (two phases, cosine annealing, cycling momentum or Adam's beta1 between 0.85 and 0.95 as
     * PyTorch's defaults): lr from maxLr/divFactor up to maxLr over pctStart of totalSteps, then down to
     * initial/finalDivFactor.
     */
    public static LRScheduler oneCycleLR(Optimizer optimizer, double maxLr, int totalSteps) {
        return new OneCycle(optimizer, maxLr, totalSteps, 0.3, 25.0, 1e4, true, 0.85, 0.95);
    }

    public static LRScheduler oneCycleLR(Optimizer optimizer, double maxLr, int totalSteps, double pctStart, double divFactor,
                                         double finalDivFactor, boolean cycleMomentum, double baseMomentum, double maxMomentum) {
        return new OneCycle(optimizer, maxLr, totalSteps, pctStart, divFactor, finalDivFactor, cycleMomentum, baseMomentum, maxMomentum);
    }

    private abstract static class Simple extends LRScheduler {
        private final Map<String, Object> settings;

        Simple(Optimizer optimizer, Map<String, Object> settings) {
            super(optimizer);
            this.settings = settings;
            initialStep();
        }

        @Override
        protected Map<String, Object> settings() {
            return settings;
        }
    }

    private static final class OneCycle extends LRScheduler {
        private final int totalSteps;
        private final double[] phaseEnd;
        private final boolean cycleMomentum;
        private final boolean useBetas;
        private final double pctStart;
        private final double divFactor;
        private final double finalDivFactor;

        OneCycle(Optimizer optimizer, double maxLr, int totalSteps, double pctStart, double divFactor, double finalDivFactor,
                 boolean cycleMomentum, double baseMomentum, double maxMomentum) {
            super(optimizer);
            if (totalSteps <= 0) {
                throw new IllegalArgumentException("Expected positive integer total_steps, but got " + totalSteps);
            }
            this.totalSteps = totalSteps;
            this.pctStart = pctStart;
            this.divFactor = divFactor;
            this.finalDivFactor = finalDivFactor;
            this.phaseEnd = new double[] {pctStart * totalSteps - 1, totalSteps - 1};
            this.cycleMomentum = cycleMomentum;
            ParamGroup first = optimizer.paramGroups().get(0);
            this.useBetas = first.options().containsKey("betas");
            if (cycleMomentum && !useBetas && !first.options().containsKey("momentum")) {
                throw new IllegalArgumentException("optimizer must support momentum or beta1 with `cycle_momentum` option enabled");
            }
            baseLrs.clear();
            for (ParamGroup g : optimizer.paramGroups()) {
                double initial = maxLr / divFactor;
                g.setLr(initial);
                g.options().put("initial_lr", initial);
                g.options().put("max_lr", maxLr);
                g.options().put("min_lr", initial / finalDivFactor);
                baseLrs.add(initial);
                if (cycleMomentum) {
                    if (useBetas) {
                        double[] betas = g.getPair("betas");
                        g.options().put("betas", new double[] {maxMomentum, betas[1]});
                    } else {
                        g.options().put("momentum", maxMomentum);
                    }
                    g.options().put("max_momentum", maxMomentum);
                    g.options().put("base_momentum", baseMomentum);
                }
            }
            initialStep();
        }

        private static double cos(double start, double end, double pct) {
            double cosOut = Math.cos(Math.PI * pct) + 1;
            return end + (start - end) / 2.0 * cosOut;
        }

        @Override
        protected List<Double> computeLr() {
            if (lastEpoch > totalSteps) {
                throw new IllegalStateException("Tried to step " + lastEpoch + " times. The specified number of total steps is "
                        + totalSteps);
            }
            List<Double> lrs = new ArrayList<>();
            for (ParamGroup g : optimizer.paramGroups()) {
                String[][] phases = {{"initial_lr", "max_lr", "max_momentum", "base_momentum"},
                        {"max_lr", "min_lr", "base_momentum", "max_momentum"}};
                double start = 0;
                for (int i = 0; i < 2; i++) {
                    double end = phaseEnd[i];
                    if (lastEpoch <= end || i == 1) {
                        double pct = (lastEpoch - start) / (end - start);
                        lrs.add(cos(g.getDouble(phases[i][0]), g.getDouble(phases[i][1]), pct));
                        if (cycleMomentum) {
                            double m = cos(g.getDouble(phases[i][2]), g.getDouble(phases[i][3]), pct);
                            if (useBetas) {
                                g.options().put("betas", new double[] {m, g.getPair("betas")[1]});
                            } else {
                                g.options().put("momentum", m);
                            }
                        }
                        break;
                    }
                    start = end;
                }
            }
            return lrs;
        }

        @Override
        protected Map<String, Object> settings() {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("total_steps", (long) totalSteps);
            s.put("anneal_strategy", "cos");
            s.put("cycle_momentum", cycleMomentum);
            s.put("use_beta1", useBetas);
            return s;
        }
    }
}
