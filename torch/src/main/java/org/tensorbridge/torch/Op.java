package org.tensorbridge.torch;

import org.tensorbridge.core.DType;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.tensorbridge.torch.internal.ArgWriter;
import org.tensorbridge.torch.internal.OpHandle;
import org.tensorbridge.torch.internal.ResultHandle;
import org.tensorbridge.torch.internal.TensorHandle;

/**
 * An ATen operator called by name through libtorch's dispatcher — every operator libtorch has, with the
 * schema's defaults filled in. Handles are cached, so a hot call does not look the schema up again.
 *
 * <p>Arguments map to schema types as follows: {@link Tensor} (null for an absent optional), Integer/Long
 * to int (and to a one-element or repeated int[N]), Double/Float to float, Boolean, long[]/int[] to int[],
 * double[]/float[] to float[], boolean[], Tensor[] or a List of Tensors to Tensor[] (null entries make a
 * Tensor?[]), {@link DType}, {@link Device}, {@link Layout}, {@link MemoryFormat}, String, {@code null} for
 * None, {@link #DEFAULT} for the schema's default, and {@link #kw(String, Object)} for keyword arguments.
 *
 * <pre>{@code
 * Op add = Op.of("aten::add.Tensor");
 * try (Tensor c = add.apply(a, b, Op.kw("alpha", 2))) { ... }
 * try (OpResult r = Op.call("aten::max", x, 1)) { Tensor values = r.tensor(0); Tensor indices = r.tensor(1); }
 * }</pre>
 */
public final class Op {
    /** Stands for "use the schema's default" in a positional argument. */
    public static final Object DEFAULT = new Object() {
        @Override
        public String toString() {
            return "Op.DEFAULT";
        }
    };

    private static final ConcurrentHashMap<String, Op> CACHE = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, List<String>> OVERLOADS = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, Op> RESOLVED = new ConcurrentHashMap<>();

    private final OpHandle handle;
    private final String qualifiedName;

    private Op(OpHandle handle) {
        this.handle = handle;
        this.qualifiedName = handle.label();
    }

    /** A keyword argument. */
    public record Keyword(String name, Object value) {
    }

    public static Keyword kw(String name, Object value) {
        return new Keyword(name, value);
    }

    /** The operator {@code name.overload}, e.g. "aten::add.Tensor" or "aten::relu"; "aten::" may be left out. */
    public static Op of(String qualifiedName) {
        String name = namespaced(qualifiedName);
        int dot = name.indexOf('.', name.indexOf("::") + 2);
        return dot < 0 ? of(name, "") : of(name.substring(0, dot), name.substring(dot + 1));
    }

    public static Op of(String name, String overload) {
        String full = namespaced(name);
        return CACHE.computeIfAbsent(full + "." + overload, key -> new Op(find(full, overload)));
    }

    private static OpHandle find(String name, String overload) {
        try {
            return OpHandle.find(name, overload);
        } catch (TorchException e) {
            List<String> known = OVERLOADS.computeIfAbsent(name, OpHandle::overloads);
            String hint = known.isEmpty()
                    ? "libtorch " + Torch.version() + " has no operator named " + name + " (check the spelling; e.g. aten::add)"
                    : name + " has the overloads " + known.stream().map(o -> o.isEmpty() ? "\"\" (default)" : o).toList()
                            + "; pass one of them, or call Op.call(name, args) to let the arguments choose";
            throw new TorchException("no operator " + name + (overload.isEmpty() ? "" : "." + overload) + ": " + hint, e);
        }
    }

    /**
     * Calls the operator {@code name} choosing the overload the arguments fit, like Python's
     * {@code torch.ops.aten.name(...)}; the choice is cached per argument kinds.
     */
    public static OpResult call(String name, Object... args) {
        String full = namespaced(name);
        if (full.indexOf('.', full.indexOf("::") + 2) >= 0) {
            return of(full).call(args);  // the overload is named: nothing to choose
        }
        String key = full + signature(args);
        Op cached = RESOLVED.get(key);
        if (cached != null) {
            return cached.call(args);
        }
        List<String> overloads = OVERLOADS.computeIfAbsent(full, OpHandle::overloads);
        if (overloads.isEmpty()) {
            throw new TorchException("no operator named " + full + " in libtorch " + Torch.version()
                    + "; check the name (e.g. aten::add) against torch.ops.aten");
        }
        List<String> rejections = new ArrayList<>();
        for (String overload : ordered(overloads, args)) {
            Op op = of(full, overload);
            try {
                // The shim rejects arguments that do not fit before running anything, so trying is safe.
                OpResult result = op.call(args);
                RESOLVED.put(key, op);
                return result;
            } catch (TorchArgumentException e) {
                rejections.add(e.getMessage());
            }
        }
        throw new TorchArgumentException("no overload of " + full + " accepts (" + describe(args) + "):\n  "
                + String.join("\n  ", rejections));
    }

    /** {@link #call(String, Object...)} for an operator that returns one tensor. */
    public static Tensor callTensor(String name, Object... args) {
        try (OpResult result = call(name, args)) {
            return result.takeOnlyTensor(namespaced(name));
        }
    }

    // The default overload first, then the rest; out= variants only when an "out" keyword is given.
    private static List<String> ordered(List<String> overloads, Object[] args) {
        boolean wantsOut = false;
        for (Object arg : args) {
            wantsOut |= arg instanceof Keyword k && k.name().equals("out");
        }
        List<String> result = new ArrayList<>();
        if (overloads.contains("")) {
            result.add("");
        }
        for (String overload : overloads) {
            boolean isOut = overload.equals("out") || overload.endsWith("_out");
            if (!overload.isEmpty() && isOut == wantsOut) {
                result.add(overload);
            }
        }
        return result;
    }

    public String name() {
        return qualifiedName;
    }

    /** The schema libtorch registered, e.g. {@code aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor}. */
    public String schema() {
        return handle.schema();
    }

    public List<OpHandle.Argument> arguments() {
        return handle.arguments();
    }

    /** Calls the operator and returns its single tensor result (a new tensor the caller closes). */
    public Tensor apply(Object... args) {
        Object result = invoke(args);
        if (result instanceof TensorHandle tensor) {
            return Tensor.own(tensor);
        }
        try (OpResult values = OpResult.read((ResultHandle) result)) {
            return values.takeOnlyTensor(qualifiedName);
        }
    }

    /** Calls the operator and returns all its results. */
    public OpResult call(Object... args) {
        Object result = invoke(args);
        if (result instanceof TensorHandle tensor) {
            return OpResult.of(Tensor.own(tensor));
        }
        return OpResult.read((ResultHandle) result);
    }

    private Object invoke(Object[] args) {
        int slots = 0;
        long payload = 0;
        for (Object arg : args) {
            Object value = arg;
            if (arg instanceof Keyword keyword) {
                payload += ArgWriter.payloadBytes(keyword.name().length() * 3L + 1, 1);
                value = keyword.value();
            }
            payload += payloadOf(value);
            slots++;
        }
        Uses uses = new Uses();
        try (ArgWriter writer = new ArgWriter(slots, payload)) {
            for (Object arg : args) {
                if (arg instanceof Keyword keyword) {
                    writer.name(keyword.name());
                    write(writer, keyword.value(), uses);
                } else {
                    write(writer, arg, uses);
                }
            }
            try {
                return handle.call(writer);
            } catch (TorchException e) {
                throw explainMissingCuda(e);
            }
        } finally {
            uses.end();
        }
    }

    /** The tensors an operator call is using: none of them can be freed before the call returns. */
    private static final class Uses {
        private Tensor[] tensors = new Tensor[4];
        private int count;

        TensorHandle begin(Tensor tensor) {
            TensorHandle handle = tensor.beginUse();
            if (count == tensors.length) {
                tensors = java.util.Arrays.copyOf(tensors, count * 2);
            }
            tensors[count++] = tensor;
            return handle;
        }

        void end() {
            for (int i = 0; i < count; i++) {
                tensors[i].endUse();
            }
        }
    }

    // A call that needs CUDA where there is none says so, instead of listing the dispatcher's backends.
    private TorchException explainMissingCuda(TorchException e) {
        if (e.getMessage().contains("'CUDA' backend") && !Torch.cudaAvailable()) {
            return new CudaUnavailableException(qualifiedName + " was asked to run on CUDA, but no CUDA device is usable"
                    + " here (libtorch " + Torch.version() + ", shim built with CUDA: " + (Torch.builtWithCuda() ? "yes" : "no")
                    + "); use Device.best() to fall back to the CPU, and run `tensorbridge doctor` to see why");
        }
        return e;
    }

    private static long payloadOf(Object value) {
        return switch (value) {
            case long[] a -> ArgWriter.payloadBytes(a.length, 8);
            case int[] a -> ArgWriter.payloadBytes(a.length, 8);
            case double[] a -> ArgWriter.payloadBytes(a.length, 8);
            case float[] a -> ArgWriter.payloadBytes(a.length, 8);
            case boolean[] a -> ArgWriter.payloadBytes(a.length, 1);
            case Tensor[] a -> ArgWriter.payloadBytes(a.length, 8);
            case Collection<?> c -> ArgWriter.payloadBytes(c.size(), 8);
            case String s -> ArgWriter.payloadBytes(s.length() * 3L + 1, 1);
            case null, default -> 0;
        };
    }

    private static void write(ArgWriter writer, Object value, Uses uses) {
        switch (value) {
            case null -> writer.none();
            case Tensor t -> writer.tensor(uses.begin(t));
            case Integer i -> writer.intValue(i);
            case Long l -> writer.intValue(l);
            case Short s -> writer.intValue(s);
            case Byte b -> writer.intValue(b);
            case Double d -> writer.doubleValue(d);
            case Float f -> writer.doubleValue(f);
            case Boolean b -> writer.boolValue(b);
            case long[] a -> writer.intList(a);
            case int[] a -> writer.intList(java.util.Arrays.stream(a).asLongStream().toArray());
            case double[] a -> writer.doubleList(a);
            case float[] a -> writer.doubleList(toDoubles(a));
            case boolean[] a -> writer.boolList(a);
            case Tensor[] a -> writeTensors(writer, a, uses);
            case Collection<?> c -> writeTensors(writer, c.toArray(new Tensor[0]), uses);
            case DType d -> writer.scalarType(ScalarTypes.code(d));
            case Device d -> writer.device(d.type().code(), d.index());
            case Layout l -> writer.layout(l.code());
            case MemoryFormat m -> writer.memoryFormat(m.code());
            case String s -> writer.string(s);
            default -> {
                if (value == DEFAULT) {
                    writer.useDefault();
                } else {
                    throw new IllegalArgumentException("cannot pass a " + value.getClass().getName()
                            + " to an operator; see Op's documentation for the accepted argument types");
                }
            }
        }
    }

    private static void writeTensors(ArgWriter writer, Tensor[] tensors, Uses uses) {
        TensorHandle[] handles = new TensorHandle[tensors.length];
        boolean optional = false;
        for (int i = 0; i < tensors.length; i++) {
            optional |= tensors[i] == null;
            handles[i] = tensors[i] == null ? null : uses.begin(tensors[i]);
        }
        writer.tensorList(handles, optional);
    }

    private static double[] toDoubles(float[] values) {
        double[] result = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = values[i];
        }
        return result;
    }

    private static String namespaced(String name) {
        return name.contains("::") ? name : "aten::" + name;
    }

    private static String signature(Object[] args) {
        StringBuilder key = new StringBuilder("(");
        for (Object arg : args) {
            if (arg instanceof Keyword k) {
                key.append(k.name()).append('=');
                arg = k.value();
            }
            key.append(arg == null ? "None" : arg == DEFAULT ? "default" : arg.getClass().getSimpleName()).append(',');
        }
        return key.append(')').toString();
    }

    private static String describe(Object[] args) {
        String signature = signature(args);
        return signature.substring(1, Math.max(1, signature.length() - 2));
    }

    @Override
    public String toString() {
        return qualifiedName;
    }
}
