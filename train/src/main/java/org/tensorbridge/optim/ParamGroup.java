package org.tensorbridge.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorbridge.torch.Tensor;

/**
 * Parameters trained with their own settings (PyTorch's param_groups entry): {@code lr}, {@code weight_decay},
 * {@code momentum}, {@code betas} ({@code double[2]}) and so on, under PyTorch's names. Settings not given
 * take the optimizer's defaults. Schedulers change {@code lr} here.
 */
public final class ParamGroup {
    private final List<Tensor> params;
    private final Map<String, Object> options;

    public ParamGroup(List<Tensor> params, Map<String, Object> options) {
        this.params = List.copyOf(params);
        this.options = new LinkedHashMap<>(options);
    }

    /** A group of {@code params} with the optimizer's defaults. */
    public static ParamGroup of(List<Tensor> params) {
        return new ParamGroup(params, Map.of());
    }

    /** A group of {@code params} with {@code name = value} pairs, e.g. {@code of(ps, "lr", 0.01, "weight_decay", 0.0)}. */
    public static ParamGroup of(List<Tensor> params, Object... nameValuePairs) {
        if (nameValuePairs.length % 2 != 0) {
            throw new IllegalArgumentException("options come in name, value pairs");
        }
        Map<String, Object> options = new LinkedHashMap<>();
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            options.put((String) nameValuePairs[i], nameValuePairs[i + 1]);
        }
        return new ParamGroup(params, options);
    }

    public List<Tensor> params() {
        return params;
    }

    /** The settings under PyTorch's names (live: changing them changes the next step). */
    public Map<String, Object> options() {
        return options;
    }

    public double lr() {
        return getDouble("lr");
    }

    public void setLr(double lr) {
        options.put("lr", lr);
    }

    public double getDouble(String name) {
        Object v = options.get(name);
        if (!(v instanceof Number n)) {
            throw new IllegalStateException("param group has no numeric option \"" + name + "\" (has " + options.keySet() + ")");
        }
        return n.doubleValue();
    }

    public boolean getBoolean(String name) {
        return Boolean.TRUE.equals(options.get(name));
    }

    public double[] getPair(String name) {
        return (double[]) options.get(name);
    }

    void fillDefaults(Map<String, Object> defaults) {
        defaults.forEach(options::putIfAbsent);
    }
}
