package org.tensorbridge.checkpoint;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorbridge.core.DType;

/**
 * A pickle reader that never runs code: it builds only what torch.load(weights_only=True) allows — tensor
 * rebuilds over storages, collections.OrderedDict, and plain containers and scalars. Any other global is
 * refused with its name before anything is built. Tuples become unmodifiable lists; dicts LinkedHashMaps;
 * ints Longs; floats Doubles.
 */
final class PickleReader {
    /** The callables weights_only accepts that we build. */
    private static final Set<String> ALLOWED = Set.of("torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
            "collections.OrderedDict", "torch.serialization._get_layout", "torch._utils._rebuild_tensor",
            "builtins.set", "builtins.frozenset", "builtins.bytearray");

    /** What a storage persistent id resolves to. */
    interface Storages {
        Object storage(String key, DType dtype, long numel, long offsetOfPickle) throws CheckpointException;
    }

    /** The rebuild of a tensor: done by the caller (it owns the tensor world). */
    interface TensorBuilder {
        Object rebuild(Object storage, long offset, long[] size, long[] stride, boolean requiresGrad) throws CheckpointException;
    }

    record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }
    }

    private record StorageType(DType dtype) {
    }

    private static final Object MARK = new Object();

    private final byte[] data;
    private final String source;
    private final Storages storages;
    private final TensorBuilder tensors;
    private int pos;

    PickleReader(byte[] data, String source, Storages storages, TensorBuilder tensors) {
        this.data = data;
        this.source = source;
        this.storages = storages;
        this.tensors = tensors;
    }

    Object load() throws CheckpointException {
        List<Object> stack = new ArrayList<>();
        Map<Long, Object> memo = new HashMap<>();
        while (true) {
            if (pos >= data.length) {
                throw error("truncated pickle: it ends without STOP");
            }
            int at = pos;
            int op = data[pos++] & 0xff;
            switch (op) {
                case 0x80 -> {  // PROTO
                    int proto = u8();
                    if (proto > 5) {
                        throw error("unsupported pickle protocol " + proto);
                    }
                }
                case 0x95 -> pos += 8;  // FRAME
                case '.' -> {
                    if (stack.size() != 1) {
                        throw error("malformed pickle: " + stack.size() + " values on the stack at STOP");
                    }
                    return stack.get(0);
                }
                case 'N' -> stack.add(null);
                case 0x88 -> stack.add(Boolean.TRUE);
                case 0x89 -> stack.add(Boolean.FALSE);
                case 'K' -> stack.add((long) u8());
                case 'M' -> stack.add((long) (u8() | (u8() << 8)));
                case 'J' -> stack.add((long) i32());
                case 0x8a -> {  // LONG1
                    int n = u8();
                    byte[] b = bytes(n);
                    byte[] be = new byte[Math.max(n, 1)];
                    for (int i = 0; i < n; i++) {
                        be[n - 1 - i] = b[i];
                    }
                    BigInteger v = n == 0 ? BigInteger.ZERO : new BigInteger(be);
                    if (v.bitLength() > 63) {
                        throw error("integer " + v + " does not fit in a long");
                    }
                    stack.add(v.longValue());
                }
                case 'G' -> {
                    long bits = 0;
                    for (int i = 0; i < 8; i++) {
                        bits = (bits << 8) | u8();
                    }
                    stack.add(Double.longBitsToDouble(bits));
                }
                case 'X' -> stack.add(new String(bytes(i32()), StandardCharsets.UTF_8));
                case 0x8c -> stack.add(new String(bytes(u8()), StandardCharsets.UTF_8));  // SHORT_BINUNICODE
                case 'U' -> stack.add(new String(bytes(u8()), StandardCharsets.ISO_8859_1));  // SHORT_BINSTRING
                case 'T' -> stack.add(new String(bytes(i32()), StandardCharsets.ISO_8859_1));  // BINSTRING
                case 'C' -> stack.add(bytes(u8()));  // SHORT_BINBYTES
                case 'B' -> stack.add(bytes(i32()));  // BINBYTES
                case '}' -> stack.add(new LinkedHashMap<>());
                case ']' -> stack.add(new ArrayList<>());
                case ')' -> stack.add(List.of());
                case '(' -> stack.add(MARK);
                case 't' -> {
                    List<Object> items = popToMark(stack);
                    stack.add(Collections.unmodifiableList(items));
                }
                case 0x85 -> stack.add(Collections.unmodifiableList(new ArrayList<>(List.of(nonNull(pop(stack))))));
                case 0x86 -> {
                    Object b = pop(stack), a = pop(stack);
                    stack.add(Collections.unmodifiableList(java.util.Arrays.asList(a, b)));
                }
                case 0x87 -> {
                    Object c = pop(stack), b = pop(stack), a = pop(stack);
                    stack.add(Collections.unmodifiableList(java.util.Arrays.asList(a, b, c)));
                }
                case 'a' -> {
                    Object v = pop(stack);
                    list(top(stack), at).add(v);
                }
                case 'e' -> {
                    List<Object> items = popToMark(stack);
                    list(top(stack), at).addAll(items);
                }
                case 's' -> {
                    Object v = pop(stack), k = pop(stack);
                    dict(top(stack), at).put(k, v);
                }
                case 'u' -> {
                    List<Object> items = popToMark(stack);
                    Map<Object, Object> d = dict(top(stack), at);
                    for (int i = 0; i + 1 < items.size(); i += 2) {
                        d.put(items.get(i), items.get(i + 1));
                    }
                }
                case 'q' -> memo.put((long) u8(), top(stack));
                case 'r' -> memo.put((long) i32() & 0xffffffffL, top(stack));
                case 0x94 -> memo.put((long) memo.size(), top(stack));  // MEMOIZE
                case 'h' -> stack.add(memoGet(memo, u8()));
                case 'j' -> stack.add(memoGet(memo, i32() & 0xffffffffL));
                case 'c' -> {
                    String module = line(), name = line();
                    stack.add(global(module, name, at));
                }
                case 0x93 -> {  // STACK_GLOBAL
                    Object name = pop(stack), module = pop(stack);
                    stack.add(global(String.valueOf(module), String.valueOf(name), at));
                }
                case 'Q' -> {  // BINPERSID
                    stack.add(persistentLoad(pop(stack), at));
                }
                case 'R' -> {
                    Object args = pop(stack), callable = pop(stack);
                    stack.add(reduce(callable, args, at));
                }
                case 'b' -> {  // BUILD: only OrderedDict's _metadata (ignored) or a tensor's state
                    Object state = pop(stack);
                    Object target = top(stack);
                    if (!(target instanceof Map) && !(target instanceof org.tensorbridge.torch.Tensor)) {
                        throw error("BUILD on a " + describe(target) + " is not allowed (weights_only)");
                    }
                }
                case '0' -> pop(stack);  // POP
                case '2' -> stack.add(top(stack));  // DUP
                case '1' -> popToMark(stack);  // POP_MARK
                default -> throw error(String.format("pickle opcode 0x%02x ('%s') is not allowed (weights_only)", op,
                        op >= 32 && op < 127 ? Character.toString(op) : "?"));
            }
        }
    }

    private Object global(String module, String name, int at) throws CheckpointException {
        String qualified = module + "." + name;
        if (module.equals("torch") && StorageTypes.BY_NAME.containsKey(name)) {
            return new StorageType(StorageTypes.BY_NAME.get(name));
        }
        if (!ALLOWED.contains(qualified)) {
            throw new UnsafeCheckpointException(qualified, source + ": the pickle names the global " + qualified
                    + " (at byte " + at + "), which is not allowed: a checkpoint may hold only tensors, storages,"
                    + " OrderedDict and plain containers and scalars (torch.load weights_only=True); nothing was run."
                    + " Re-save it with torch.save(model.state_dict()) from trusted code");
        }
        return new Global(module, name);
    }

    private Object persistentLoad(Object pid, int at) throws CheckpointException {
        if (!(pid instanceof List<?> t) || t.size() != 5 || !"storage".equals(t.get(0)) || !(t.get(1) instanceof StorageType type)) {
            throw error("persistent id " + describe(pid) + " at byte " + at + " is not a storage reference");
        }
        return storages.storage(String.valueOf(t.get(2)), type.dtype(), ((Number) t.get(4)).longValue(), at);
    }

    @SuppressWarnings("unchecked")
    private Object reduce(Object callable, Object args, int at) throws CheckpointException {
        if (!(callable instanceof Global g)) {
            throw error("REDUCE at byte " + at + " calls a " + describe(callable) + ", which is not an allowed global");
        }
        List<Object> a = (List<Object>) args;
        switch (g.qualified()) {
            case "collections.OrderedDict" -> {
                return new LinkedHashMap<>();
            }
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> {
                if (a.size() < 4) {
                    throw error("_rebuild_tensor_v2 at byte " + at + " got " + a.size() + " arguments");
                }
                boolean requiresGrad = a.size() > 4 && Boolean.TRUE.equals(a.get(4));
                return tensors.rebuild(a.get(0), ((Number) a.get(1)).longValue(), longs(a.get(2)), longs(a.get(3)), requiresGrad);
            }
            case "torch._utils._rebuild_parameter" -> {
                return a.get(0);
            }
            case "builtins.set", "builtins.frozenset" -> {
                return a.isEmpty() ? List.of() : new ArrayList<>((List<Object>) a.get(0));
            }
            default -> throw error("REDUCE of " + g.qualified() + " is not supported");
        }
    }

    private static long[] longs(Object tuple) {
        List<?> l = (List<?>) tuple;
        long[] r = new long[l.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = ((Number) l.get(i)).longValue();
        }
        return r;
    }

    private Object memoGet(Map<Long, Object> memo, long key) throws CheckpointException {
        if (!memo.containsKey(key)) {
            throw error("memo key " + key + " was never stored");
        }
        return memo.get(key);
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, int at) throws CheckpointException {
        if (o instanceof ArrayList<?> l) {
            return (List<Object>) l;
        }
        throw error("APPEND at byte " + at + " on a " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o, int at) throws CheckpointException {
        if (o instanceof Map<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw error("SETITEM at byte " + at + " on a " + describe(o));
    }

    private static String describe(Object o) {
        return o == null ? "None" : o == MARK ? "mark" : o.getClass().getSimpleName();
    }

    private Object nonNull(Object o) {
        return o;
    }

    private Object pop(List<Object> stack) throws CheckpointException {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw error("malformed pickle: stack underflow at byte " + (pos - 1));
        }
        return stack.remove(stack.size() - 1);
    }

    private Object top(List<Object> stack) throws CheckpointException {
        if (stack.isEmpty()) {
            throw error("malformed pickle: empty stack at byte " + (pos - 1));
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popToMark(List<Object> stack) throws CheckpointException {
        int i = stack.size() - 1;
        while (i >= 0 && stack.get(i) != MARK) {
            i--;
        }
        if (i < 0) {
            throw error("malformed pickle: no MARK before byte " + (pos - 1));
        }
        List<Object> items = new ArrayList<>(stack.subList(i + 1, stack.size()));
        stack.subList(i, stack.size()).clear();
        return items;
    }

    private int u8() throws CheckpointException {
        need(1);
        return data[pos++] & 0xff;
    }

    private int i32() throws CheckpointException {
        need(4);
        int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8 | (data[pos + 2] & 0xff) << 16 | (data[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    private byte[] bytes(int n) throws CheckpointException {
        if (n < 0) {
            throw error("negative length " + n + " at byte " + pos);
        }
        need(n);
        byte[] b = java.util.Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return b;
    }

    private String line() throws CheckpointException {
        int start = pos;
        while (pos < data.length && data[pos] != '\n') {
            pos++;
        }
        if (pos >= data.length) {
            throw error("truncated pickle: a GLOBAL at byte " + start + " has no end of line");
        }
        return new String(data, start, pos++ - start, StandardCharsets.UTF_8);
    }

    private void need(int n) throws CheckpointException {
        if (pos + n > data.length) {
            throw error("truncated pickle: needs " + n + " bytes at byte " + pos + ", has " + (data.length - pos));
        }
    }

    private CheckpointException error(String message) {
        return new CheckpointException(source + ": " + message);
    }
}
