package org.tensorbridge.optim;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorbridge.core.Scope;
import org.tensorbridge.torch.GradMode;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.TensorOptions;

/**
 * PyTorch's optimizer contract: parameter groups with their own settings, per-parameter state, {@link #step()},
 * {@link #zeroGrad()}, and state dicts in PyTorch's layout ({@code state}: index -> {name: tensor or number};
 * {@code param_groups}: list of settings with {@code params}: indices), so they can be saved next to PyTorch's.
 *
 * <p>The optimizer owns its state tensors (momentum buffers, moments) and closes them in {@link #close()}; it
 * does not own the parameters. Each step runs in its own scope, without autograd.
 */
public abstract class Optimizer implements AutoCloseable {
    private final List<ParamGroup> groups = new ArrayList<>();
    private final Map<String, Object> defaults;
    /** Per-parameter state, by parameter identity. Values: Tensor (owned) or Number. */
    private final Map<Tensor, Map<String, Object>> state = new IdentityHashMap<>();

    protected Optimizer(List<ParamGroup> groups, Map<String, Object> defaults) {
        this.defaults = new LinkedHashMap<>(defaults);
        for (ParamGroup g : groups) {
            addParamGroup(g);
        }
        if (this.groups.isEmpty()) {
            throw new IllegalArgumentException("optimizer got an empty parameter list");
        }
    }

    /** Adds a group (PyTorch's add_param_group); a parameter may be in one group only. */
    public final void addParamGroup(ParamGroup group) {
        for (ParamGroup g : groups) {
            for (Tensor p : g.params()) {
                for (Tensor q : group.params()) {
                    if (p == q) {
                        throw new IllegalArgumentException("some parameters appear in more than one parameter group");
                    }
                }
            }
        }
        group.fillDefaults(defaults);
        checkOptions(group);
        groups.add(group);
    }

    /** Validates a group's settings (names the bad one). */
    protected void checkOptions(ParamGroup group) {
        double lr = group.getDouble("lr");
        if (lr < 0) {
            throw new IllegalArgumentException("Invalid learning rate: " + lr);
        }
    }

    public final List<ParamGroup> paramGroups() {
        return groups;
    }

    /** Updates every parameter that has a gradient, per its group's settings. */
    public final void step() {
        try (GradMode noGrad = GradMode.disabled(); Scope scope = Scope.open()) {
            for (ParamGroup group : groups) {
                List<Tensor> params = new ArrayList<>();
                List<Tensor> grads = new ArrayList<>();
                List<Map<String, Object>> states = new ArrayList<>();
                for (Tensor p : group.params()) {
                    Tensor grad = p.grad();
                    if (grad == null) {
                        continue;
                    }
                    params.add(p);
                    grads.add(grad);
                    states.add(state.computeIfAbsent(p, k -> new LinkedHashMap<>()));
                }
                if (params.isEmpty()) {
                    continue;
                }
                if (group.getBoolean("foreach") && updateForeach(group, params, grads, states)) {
                    continue;
                }
                for (int i = 0; i < params.size(); i++) {
                    update(group, params.get(i), grads.get(i), states.get(i));
                }
            }
        }
    }

    /**
     * One parameter's update, in place, under no-grad and inside the step's scope. State tensors created here
     * must be stored with {@link #putState} (which takes them out of the scope).
     */
    protected abstract void update(ParamGroup group, Tensor param, Tensor grad, Map<String, Object> state);

    /**
     * The whole group's update with libtorch's multi-tensor ({@code _foreach_*}) kernels, as PyTorch's
     * {@code foreach=True}; returns false when this optimizer has none (the per-tensor path runs instead).
     */
    protected boolean updateForeach(ParamGroup group, List<Tensor> params, List<Tensor> grads, List<Map<String, Object>> states) {
        return false;
    }

    /** Stores a state tensor, which the optimizer then owns. */
    protected static void putState(Map<String, Object> state, String name, Tensor value) {
        Scope scope = Scope.current();
        if (scope != null) {
            scope.detach(value);
        }
        Object old = state.put(name, value);
        if (old instanceof Tensor t && t != value) {
            t.close();
        }
    }

    /** Clears every gradient (set_to_none=True, PyTorch 2.x's default). */
    public final void zeroGrad() {
        for (ParamGroup group : groups) {
            for (Tensor p : group.params()) {
                p.setGrad(null);
            }
        }
    }

    // ---------------------------------------------------------------- state dicts

    /**
     * PyTorch's layout: {@code {"state": {Integer index: {name: Tensor | Number}}, "param_groups": [{settings...,
     * "params": [indices]}]}}, indices numbering the parameters across groups in order. Tensors are new
     * handles (copies) the caller or its scope owns; {@code betas} is a {@code double[2]}.
     */
    public final Map<String, Object> stateDict() {
        Map<Integer, Map<String, Object>> packedState = new LinkedHashMap<>();
        List<Map<String, Object>> packedGroups = new ArrayList<>();
        int index = 0;
        for (ParamGroup group : groups) {
            Map<String, Object> g = new LinkedHashMap<>(group.options());
            List<Integer> ids = new ArrayList<>();
            for (Tensor p : group.params()) {
                Map<String, Object> s = state.get(p);
                if (s != null && !s.isEmpty()) {
                    Map<String, Object> copy = new LinkedHashMap<>();
                    // PyTorch (1.12+) saves 'step' as a float32 scalar tensor.
                    s.forEach((k, v) -> copy.put(k, v instanceof Tensor t ? t.clone()
                            : k.equals("step") && v instanceof Number n ? Tensor.scalarTensor(n.doubleValue(), TensorOptions.DEFAULT) : v));
                    packedState.put(index, copy);
                }
                ids.add(index++);
            }
            g.put("params", ids);
            packedGroups.add(g);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("state", packedState);
        result.put("param_groups", packedGroups);
        return result;
    }

    /**
     * Loads a state dict in PyTorch's layout (from {@link #stateDict()} or a checkpoint): settings per group and
     * per-parameter state (copied; the caller keeps its tensors). The number of groups and their sizes must
     * match.
     */
    @SuppressWarnings("unchecked")
    public final void loadStateDict(Map<String, Object> stateDict) {
        List<Map<String, Object>> savedGroups = (List<Map<String, Object>>) stateDict.get("param_groups");
        Map<?, Map<String, Object>> savedState = (Map<?, Map<String, Object>>) stateDict.get("state");
        if (savedGroups == null || savedState == null) {
            throw new IllegalArgumentException("an optimizer state dict has \"state\" and \"param_groups\"; got " + stateDict.keySet());
        }
        if (savedGroups.size() != groups.size()) {
            throw new IllegalArgumentException("loaded state dict has " + savedGroups.size()
                    + " parameter groups, the optimizer has " + groups.size());
        }
        List<Tensor> byIndex = new ArrayList<>();
        Map<Integer, Tensor> paramOf = new LinkedHashMap<>();
        for (int i = 0; i < groups.size(); i++) {
            List<?> ids = (List<?>) savedGroups.get(i).get("params");
            if (ids.size() != groups.get(i).params().size()) {
                throw new IllegalArgumentException("loaded state dict contains a parameter group (" + i + ") of " + ids.size()
                        + " parameters that doesn't match the size of the optimizer's group (" + groups.get(i).params().size() + ")");
            }
            for (int j = 0; j < ids.size(); j++) {
                paramOf.put(((Number) ids.get(j)).intValue(), groups.get(i).params().get(j));
            }
            byIndex.addAll(groups.get(i).params());
        }
        for (int i = 0; i < groups.size(); i++) {
            Map<String, Object> options = groups.get(i).options();
            savedGroups.get(i).forEach((k, v) -> {
                if (!k.equals("params")) {
                    options.put(k, v instanceof List<?> l && l.size() == 2 && l.get(0) instanceof Number
                            ? new double[] {((Number) l.get(0)).doubleValue(), ((Number) l.get(1)).doubleValue()} : v);
                }
            });
        }
        closeState();
        try (GradMode noGrad = GradMode.disabled()) {
            for (Map.Entry<?, Map<String, Object>> e : savedState.entrySet()) {
                int idx = ((Number) e.getKey()).intValue();
                Tensor p = paramOf.get(idx);
                if (p == null) {
                    throw new IllegalArgumentException("optimizer state for parameter " + idx + " has no parameter");
                }
                Map<String, Object> s = new LinkedHashMap<>();
                for (Map.Entry<String, Object> v : e.getValue().entrySet()) {
                    if (v.getKey().equals("step")) {
                        s.put("step", v.getValue() instanceof Tensor t ? t.item() : ((Number) v.getValue()).doubleValue());
                    } else if (v.getValue() instanceof Tensor t) {
                        // Moments follow the parameter's device and dtype, as in PyTorch.
                        Tensor copy = Scope.compute(() -> t.to(p.dtype()).to(p.device()).clone());
                        Scope current = Scope.current();
                        if (current != null) {
                            current.detach(copy);
                        }
                        s.put(v.getKey(), copy);
                    } else {
                        s.put(v.getKey(), v.getValue());
                    }
                }
                state.put(p, s);
            }
        }
    }

    /** The state of one parameter (owned by the optimizer; read only). */
    public final Map<String, Object> state(Tensor param) {
        return state.getOrDefault(param, Map.of());
    }

    private void closeState() {
        for (Map<String, Object> s : state.values()) {
            for (Object v : s.values()) {
                if (v instanceof Tensor t) {
                    t.close();
                }
            }
        }
        state.clear();
    }

    /** Closes the state tensors (not the parameters). */
    @Override
    public void close() {
        closeState();
    }

    static double stepOf(Map<String, Object> state) {
        Object step = state.get("step");
        return step == null ? 0 : ((Number) step).doubleValue();
    }

    /** A zero tensor with {@code like}'s shape, dtype and device. */
    protected static Tensor zerosLike(Tensor like) {
        return Tensor.zeros(TensorOptions.of(like.dtype()).device(like.device()), like.shape());
    }

    private static final org.tensorbridge.torch.Op MAXIMUM = org.tensorbridge.torch.Op.of("aten::maximum");

    static Tensor maximum(Tensor a, Tensor b) {
        return MAXIMUM.apply(a, b);
    }
}
