package org.tensorbridge.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.GradMode;
import org.tensorbridge.torch.Tensor;

/**
 * A layer or a model, with PyTorch's {@code nn.Module} semantics: parameters, buffers and child modules in
 * registration order; dotted names ({@code features.0.weight}, {@code bn.running_mean},
 * {@code bn.num_batches_tracked}) that are PyTorch's state-dict keys, so checkpoints cross languages without
 * a mapping table; {@link #train()} / {@link #eval()}; {@link #to(Device)} / {@link #to(DType)}.
 *
 * <h2>Ownership</h2>
 * A module owns its parameters and buffers: they belong to no {@link Scope} (so a per-step scope never
 * closes them) and are closed by {@link #close()}, which closes the children too. Use try-with-resources,
 * or {@code Scope.current().attach(model)}. {@link #namedParameters()} and friends hand out the module's own
 * tensors: do not close them. {@link #stateDict()} returns new handles (detached, sharing memory) that the
 * caller or its scope owns.
 */
public abstract class Module implements AutoCloseable {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;
    private boolean closed;

    /** Computes the output from one input tensor (a new tensor, owned by the current scope or the caller). */
    public abstract Tensor forward(Tensor input);

    // ---------------------------------------------------------------- registration

    /**
     * Registers {@code value} as the parameter {@code name} (a leaf that requires grad); the module takes it
     * over (it leaves any scope). A null value registers nothing (e.g. {@code bias=false}).
     */
    protected final Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        if (value == null) {
            return null;
        }
        own(value);
        value.requiresGrad(true);
        parameters.put(name, value);
        return value;
    }

    /** Registers {@code value} as the buffer {@code name} (saved in the state dict, not trained). */
    protected final Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        own(value);
        buffers.put(name, value);
        return value;
    }

    /** Registers {@code module} as the child {@code name}; its parameters are named {@code name.<its name>}. */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        module.train(training);
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("a module attribute name must be non-empty and have no '.': \"" + name + "\"");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("\"" + name + "\" is already registered in " + getClass().getSimpleName());
        }
    }

    private static void own(Tensor value) {
        Scope scope = Scope.current();
        if (scope != null) {
            scope.detach(value);
        }
    }

    /** This module's own parameter {@code name} (not a child's), or null; owned by the module. */
    protected final Tensor parameter(String name) {
        return parameters.get(name);
    }

    /** This module's own buffer {@code name}, or null; owned by the module. */
    protected final Tensor buffer(String name) {
        return buffers.get(name);
    }

    // ---------------------------------------------------------------- traversal

    /** Every parameter with its dotted name, children's included, in registration order (owned by the module). */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> result = new LinkedHashMap<>();
        collect("", result, m -> m.parameters);
        return result;
    }

    /** Every buffer with its dotted name, children's included. */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> result = new LinkedHashMap<>();
        collect("", result, m -> m.buffers);
        return result;
    }

    public final List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** The direct children with their names. */
    public final Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(children);
    }

    /** This module ("") and every descendant, with dotted names, depth first. */
    public final Map<String, Module> namedModules() {
        Map<String, Module> result = new LinkedHashMap<>();
        result.put("", this);
        for (Map.Entry<String, Module> child : children.entrySet()) {
            for (Map.Entry<String, Module> e : child.getValue().namedModules().entrySet()) {
                result.put(e.getKey().isEmpty() ? child.getKey() : child.getKey() + "." + e.getKey(), e.getValue());
            }
        }
        return result;
    }

    private void collect(String prefix, Map<String, Tensor> into, Function<Module, Map<String, Tensor>> which) {
        checkOpen();
        for (Map.Entry<String, Tensor> e : which.apply(this).entrySet()) {
            into.put(prefix + e.getKey(), e.getValue());
        }
        for (Map.Entry<String, Module> child : children.entrySet()) {
            child.getValue().collect(prefix + child.getKey() + ".", into, which);
        }
    }

    // ---------------------------------------------------------------- modes

    /** Training mode (Dropout drops, BatchNorm uses batch statistics); returns this. */
    public Module train() {
        return train(true);
    }

    public Module train(boolean mode) {
        training = mode;
        for (Module child : children.values()) {
            child.train(mode);
        }
        return this;
    }

    /** Evaluation mode: {@code train(false)}; returns this. */
    public Module eval() {
        return train(false);
    }

    public boolean isTraining() {
        return training;
    }

    /** Clears every parameter's gradient (PyTorch's {@code zero_grad(set_to_none=True)}). */
    public void zeroGrad() {
        for (Tensor p : namedParameters().values()) {
            p.setGrad(null);
        }
    }

    /** Stops training every parameter (requires_grad false); returns this. */
    public Module freeze() {
        for (Tensor p : namedParameters().values()) {
            p.requiresGrad(false);
        }
        return this;
    }

    /** Trains every parameter again; returns this. */
    public Module unfreeze() {
        for (Tensor p : namedParameters().values()) {
            p.requiresGrad(true);
        }
        return this;
    }

    // ---------------------------------------------------------------- conversion

    /** Moves every parameter and buffer to {@code device}; returns this. Optimizers must be made after. */
    public Module to(Device device) {
        return convert(t -> t.device().equals(device) ? null : t.to(device), false);
    }

    /** Casts floating-point parameters and buffers to {@code dtype} (integer buffers stay); returns this. */
    public Module to(DType dtype) {
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("Module.to(dtype) takes a floating-point dtype, not " + dtype.torchName());
        }
        return convert(t -> t.dtype().isFloatingPoint() && t.dtype() != dtype ? t.to(dtype) : null, true);
    }

    private Module convert(Function<Tensor, Tensor> how, boolean floatingOnly) {
        checkOpen();
        try (GradMode noGrad = GradMode.disabled()) {
            replaceAll(parameters, how, true);
            replaceAll(buffers, how, false);
        }
        for (Module child : children.values()) {
            child.convert(how, floatingOnly);
        }
        return this;
    }

    private static void replaceAll(Map<String, Tensor> tensors, Function<Tensor, Tensor> how, boolean parameter) {
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor old = e.getValue();
            Tensor converted;
            try (Scope scope = Scope.open()) {
                converted = how.apply(old);
                if (converted == null) {
                    continue;
                }
                scope.detach(converted);
            }
            if (parameter) {
                converted.requiresGrad(old.requiresGrad());
            }
            e.setValue(converted);
            old.close();
        }
    }

    // ---------------------------------------------------------------- state dicts

    /**
     * Parameters and buffers by PyTorch's key names, in PyTorch's order (each module's parameters, then its
     * buffers, then its children). The tensors are new handles on the same memory, detached from autograd,
     * owned by the caller (or the current scope).
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> own = new LinkedHashMap<>();
        collectState("", own);
        Map<String, Tensor> result = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            result.put(e.getKey(), e.getValue().detach());
        }
        return result;
    }

    private void collectState(String prefix, Map<String, Tensor> into) {
        checkOpen();
        parameters.forEach((k, v) -> into.put(prefix + k, v));
        buffers.forEach((k, v) -> into.put(prefix + k, v));
        children.forEach((k, v) -> v.collectState(prefix + k + ".", into));
    }

    /** What {@link #loadStateDict} did not match. */
    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {
    }

    /**
     * Copies {@code state} into the parameters and buffers (values are copied; the caller keeps its tensors).
     * With {@code strict}, any missing or unexpected key is an error that lists them all, and nothing is
     * changed; a shape mismatch is always an error naming the key and both shapes.
     */
    public final LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = new LinkedHashMap<>();
        collectState("", own);
        List<String> missing = new ArrayList<>();
        for (String key : own.keySet()) {
            if (!state.containsKey(key)) {
                missing.add(key);
            }
        }
        Set<String> unexpectedSet = new TreeSet<>(state.keySet());
        unexpectedSet.removeAll(own.keySet());
        List<String> unexpected = new ArrayList<>(unexpectedSet);
        List<String> errors = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor source = state.get(e.getKey());
            if (source != null && !java.util.Arrays.equals(source.shape(), e.getValue().shape())) {
                errors.add("size mismatch for " + e.getKey() + ": copying a param with shape "
                        + java.util.Arrays.toString(source.shape()) + " from checkpoint, the shape in current model is "
                        + java.util.Arrays.toString(e.getValue().shape()));
            }
        }
        if (strict && (!missing.isEmpty() || !unexpected.isEmpty())) {
            errors.add(0, "Missing key(s): " + missing + "; unexpected key(s): " + unexpected
                    + " (pass strict=false to load the matching keys only)");
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("Error(s) in loading state dict for " + getClass().getSimpleName() + ":\n  "
                    + String.join("\n  ", errors));
        }
        try (GradMode noGrad = GradMode.disabled()) {
            for (Map.Entry<String, Tensor> e : own.entrySet()) {
                Tensor source = state.get(e.getKey());
                if (source != null) {
                    e.getValue().copy_(source);
                }
            }
        }
        return new LoadResult(List.copyOf(missing), List.copyOf(unexpected));
    }

    // ---------------------------------------------------------------- lifetime

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(getClass().getSimpleName() + " was closed; its parameters are gone");
        }
    }

    /** Closes the parameters, buffers and children. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        parameters.values().forEach(Tensor::close);
        buffers.values().forEach(Tensor::close);
        children.values().forEach(Module::close);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('(').append(extraRepr());
        if (!children.isEmpty()) {
            sb.append('\n');
            children.forEach((k, v) -> sb.append("  (").append(k).append("): ")
                    .append(v.toString().replace("\n", "\n  ")).append('\n'));
        }
        return sb.append(')').toString();
    }

    /** The layer's settings for {@link #toString()}, as PyTorch's {@code extra_repr}. */
    protected String extraRepr() {
        return "";
    }
}
