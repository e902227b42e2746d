#!/usr/bin/env python3
"""Generates ndarray/src/main/java/org/tensorbridge/ndarray/Loops.java: one typed inner loop per
(operation, dtype) — NumPy's approach. Each loop runs over one row of n elements given each operand's
byte offset and byte stride; a contiguous branch (and for binary ops a scalar-operand branch) lets C2
vectorise, a strided branch handles any other stride. Run: python3 ndarray/codegen/gen_loops.py"""
import os

T = {  # name: (java type, layout, item size, unsigned mask or None)
    'b': ('byte', 'I8', 1, '0xFF'), 'i8': ('byte', 'I8', 1, None), 'u8': ('byte', 'I8', 1, '0xFF'),
    'i16': ('short', 'I16', 2, None), 'u16': ('short', 'I16', 2, '0xFFFF'),
    'i32': ('int', 'I32', 4, None), 'u32': ('int', 'I32', 4, '0xFFFFFFFFL'),
    'i64': ('long', 'I64', 8, None), 'u64': ('long', 'I64', 8, None),
    'f32': ('float', 'F32', 4, None), 'f64': ('double', 'F64', 8, None),
    'f16': ('short', 'I16', 2, None), 'bf16': ('short', 'I16', 2, None),
}
DT = {'b': 'BOOL', 'i8': 'INT8', 'u8': 'UINT8', 'i16': 'INT16', 'u16': 'UINT16', 'i32': 'INT32', 'u32': 'UINT32',
      'i64': 'INT64', 'u64': 'UINT64', 'f32': 'FLOAT32', 'f64': 'FLOAT64', 'f16': 'FLOAT16', 'bf16': 'BFLOAT16'}
INTS = ['i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'i64', 'u64']
FLOATS = ['f32', 'f64']
NUM = INTS + FLOATS
out = []
w = out.append
# Strides C2 knows as constants let it drop the per-element bounds checks: a loop over every second float32
# took 0.4 ms per 1M elements with literal strides and 1.3 ms with the same strides in variables (2-core VM,
# same run), so the most common strided layout (a[..., ::2]) gets a branch of its own.
STRIDE2_WHY = 'constant strides: 3x faster'


def widen(t, v):
    """Java expression giving the mathematical value of v (of dtype t) as int/long/float/double."""
    m = T[t][3]
    if t == 'b':
        return f'({v} != 0 ? 1 : 0)'
    return f'({v} & {m})' if m else v


def cmp_unsigned(t):
    return t in ('u32', 'u64')


def binexpr(op, t, a, b):
    jt = T[t][0]
    if t in FLOATS:
        return {'add': f'{a} + {b}', 'sub': f'{a} - {b}', 'mul': f'{a} * {b}', 'div': f'{a} / {b}',
                'min': f'Math.min({a}, {b})', 'max': f'Math.max({a}, {b})',
                'pow': f'({jt}) Math.pow({a}, {b})' if t == 'f32' else f'Math.pow({a}, {b})'}[op]
    if t == 'b':
        return {'add': f'(byte) ({a} | {b})', 'max': f'(byte) ({a} | {b})', 'mul': f'(byte) ({a} & {b})',
                'min': f'(byte) ({a} & {b})'}.get(op)
    cast = '' if jt == 'long' else f'({jt}) '
    if op in ('add', 'sub', 'mul'):
        o = {'add': '+', 'sub': '-', 'mul': '*'}[op]
        return f'{cast}({a} {o} {b})'
    if op in ('min', 'max'):
        if t == 'u32':
            c = '<=' if op == 'min' else '>='
            return f'Integer.compareUnsigned({a}, {b}) {c} 0 ? {a} : {b}'
        if t == 'u64':
            c = '<=' if op == 'min' else '>='
            return f'Long.compareUnsigned({a}, {b}) {c} 0 ? {a} : {b}'
        return f'{cast}Math.{op}({widen(t, a)}, {widen(t, b)})'
    if op == 'pow':
        return f'{cast}Kernels.ipow({widen(t, a)}, {widen(t, b)}, {"true" if T[t][3] or t == "u64" else "false"})'
    return None


def cmpexpr(op, t, a, b):
    o = {'eq': '==', 'ne': '!=', 'lt': '<', 'le': '<=', 'gt': '>', 'ge': '>='}[op]
    if t == 'u32':
        return f'Integer.compareUnsigned({a}, {b}) {o} 0'
    if t == 'u64':
        return f'Long.compareUnsigned({a}, {b}) {o} 0'
    if t in FLOATS:
        return f'{a} {o} {b}'
    return f'{widen(t, a)} {o} {widen(t, b)}'


# One loop per method: C2 compiles a method once it is hot, and a loop that had not run by then is compiled
# blind (no profile: no unrolling, its bounds checks left inside) and never recompiled, as no trap fires in it.
# A method holding the loops of every layout ran the layout that came second several times slower for the rest
# of the run when its compile fell between the two (bench/ndarray.sh). So each layout's loop is a method of its
# own, compiled once its own loop is hot, and the entry point only picks one.
SEG = 'MemorySegment'


def loop_method(mname, params, loop_body):
    """A method holding one loop over the n elements of a row."""
    w(f'    private static void {mname}({params}) {{')
    w(f'        for (long i = 0; i < n; i++) {{')
    for line in loop_body:
        w(f'            {line}')
    w(f'        }}')
    w(f'    }}')
    w('')


def binary_loop(name, t, ot, expr_fn, is_bool_out=False):
    jt, L, s, _ = T[t]
    ojt, OL, os_, _ = T[ot]
    e = expr_fn('a', 'b')
    if is_bool_out:
        e = f'({e}) ? (byte) 1 : (byte) 0'
    w(f'    static void {name}(MemorySegment x, long ox, long sx, MemorySegment y, long oy, long sy, MemorySegment z,'
      f' long oz, long sz, long n) {{')
    w(f'        if (sx == {s} && sy == {s} && sz == {os_}) {{')
    w(f'            {name}_vv(x, ox, y, oy, z, oz, n);')
    w(f'        }} else if (sy == 0 && sx == {s} && sz == {os_}) {{')
    w(f'            {name}_vs(x, ox, y.get({L}, oy), z, oz, n);')
    w(f'        }} else if (sx == 0 && sy == {s} && sz == {os_}) {{')
    w(f'            {name}_sv(x.get({L}, ox), y, oy, z, oz, n);')
    w(f'        }} else if (sx == {2 * s} && sy == {2 * s} && sz == {os_}) {{')
    w(f'            {name}_every2(x, ox, y, oy, z, oz, n);  // {STRIDE2_WHY}')
    w(f'        }} else {{')
    w(f'            {name}_strided(x, ox, sx, y, oy, sy, z, oz, sz, n);')
    w(f'        }}')
    w(f'    }}')
    w('')
    store = f'z.set({OL}, oz + i * {os_}, {e});'
    loop_method(f'{name}_vv', f'{SEG} x, long ox, {SEG} y, long oy, {SEG} z, long oz, long n',
                [f'{jt} a = x.get({L}, ox + i * {s});', f'{jt} b = y.get({L}, oy + i * {s});', store])
    loop_method(f'{name}_vs', f'{SEG} x, long ox, {jt} b, {SEG} z, long oz, long n',
                [f'{jt} a = x.get({L}, ox + i * {s});', store])
    loop_method(f'{name}_sv', f'{jt} a, {SEG} y, long oy, {SEG} z, long oz, long n',
                [f'{jt} b = y.get({L}, oy + i * {s});', store])
    loop_method(f'{name}_every2', f'{SEG} x, long ox, {SEG} y, long oy, {SEG} z, long oz, long n',
                [f'{jt} a = x.get({L}, ox + i * {2 * s});', f'{jt} b = y.get({L}, oy + i * {2 * s});', store])
    loop_method(f'{name}_strided', f'{SEG} x, long ox, long sx, {SEG} y, long oy, long sy, {SEG} z, long oz, long sz,'
                f' long n',
                [f'{jt} a = x.get({L}, ox + i * sx);', f'{jt} b = y.get({L}, oy + i * sy);',
                 f'z.set({OL}, oz + i * sz, {e});'])


def unary_loop(name, t, ot, e):
    jt, L, s, _ = T[t]
    ojt, OL, os_, _ = T[ot]
    w(f'    static void {name}(MemorySegment x, long ox, long sx, MemorySegment z, long oz, long sz, long n) {{')
    w(f'        if (sx == {s} && sz == {os_}) {{')
    w(f'            {name}_c(x, ox, z, oz, n);')
    w(f'        }} else if (sx == {2 * s} && sz == {os_}) {{')
    w(f'            {name}_every2(x, ox, z, oz, n);  // {STRIDE2_WHY}')
    w(f'        }} else {{')
    w(f'            {name}_strided(x, ox, sx, z, oz, sz, n);')
    w(f'        }}')
    w(f'    }}')
    w('')
    loop_method(f'{name}_c', f'{SEG} x, long ox, {SEG} z, long oz, long n',
                [f'{jt} a = x.get({L}, ox + i * {s});', f'z.set({OL}, oz + i * {os_}, {e});'])
    loop_method(f'{name}_every2', f'{SEG} x, long ox, {SEG} z, long oz, long n',
                [f'{jt} a = x.get({L}, ox + i * {2 * s});', f'z.set({OL}, oz + i * {os_}, {e});'])
    loop_method(f'{name}_strided', f'{SEG} x, long ox, long sx, {SEG} z, long oz, long sz, long n',
                [f'{jt} a = x.get({L}, ox + i * sx);', f'z.set({OL}, oz + i * sz, {e});'])


def cast_expr(f, t):
    """Expression converting local `a` (java type of f) to the java type of t with NumPy's unsafe cast."""
    if f == t:
        return 'a'
    tj = T[t][0]
    # source value as a float when needed
    if f == 'f16':
        fv, fk = 'Float.float16ToFloat(a)', 'f32'
    elif f == 'bf16':
        fv, fk = 'Float.intBitsToFloat((a & 0xFFFF) << 16)', 'f32'
    else:
        fv, fk = 'a', f
    if t == 'b':
        if fk in FLOATS:
            return f'{fv} != 0 ? (byte) 1 : (byte) 0'
        return 'a != 0 ? (byte) 1 : (byte) 0'
    if fk in FLOATS:
        if t in ('i8', 'u8', 'i16', 'u16'):
            return f'({tj}) Elements.f2i32({fv})'
        if t == 'i32':
            return f'Elements.f2i32({fv})'
        if t == 'u32':
            return f'(int) Elements.f2i64({fv})'
        if t == 'i64':
            return f'Elements.f2i64({fv})'
        if t == 'u64':
            return f'Elements.f2u64({fv})'
        if t == 'f32':
            return fv if fk == 'f32' else f'(float) {fv}'
        if t == 'f64':
            return f'(double) {fv}'
        if t == 'f16':
            return f'Float.floatToFloat16({fv})' if fk == 'f32' else f'Elements.toHalf({fv})'
        if t == 'bf16':
            return f'Elements.toBf16({fv})' if fk == 'f32' else f'Elements.toBf16((double) {fv})'
    # integer or bool source
    v = widen(f, 'a')
    if t in INTS:
        return v if tj == 'long' or (tj == 'int' and f in ('b', 'i8', 'u8', 'i16', 'u16', 'i32', 'u32') and False) else f'({tj}) {v}'
    if t == 'f32':
        if f == 'u64':
            return 'a >= 0 ? (float) a : ((float) ((a >>> 1) | (a & 1))) * 2f'
        return f'(float) {v}'
    if t == 'f64':
        if f == 'u64':
            return 'Elements.u64ToDouble(a)'
        return f'(double) {v}'
    if t == 'f16':
        if f == 'u64':
            return 'Elements.toHalf(Elements.u64ToDouble(a))'
        return f'Elements.toHalf((double) {v})'
    if t == 'bf16':
        if f == 'u64':
            return 'Elements.toBf16(Elements.u64ToDouble(a))'
        return f'Elements.toBf16((double) {v})'
    raise ValueError((f, t))


w('// GENERATED by ndarray/codegen/gen_loops.py — do not edit; change the generator and rerun it.')
w('package org.tensorbridge.ndarray;')
w('')
w('import static org.tensorbridge.ndarray.Elements.F32;')
w('import static org.tensorbridge.ndarray.Elements.F64;')
w('import static org.tensorbridge.ndarray.Elements.I16;')
w('import static org.tensorbridge.ndarray.Elements.I32;')
w('import static org.tensorbridge.ndarray.Elements.I64;')
w('import static org.tensorbridge.ndarray.Elements.I8;')
w('')
w('import java.lang.foreign.MemorySegment;')
w('import org.tensorbridge.core.DType;')
w('')
w('/**')
w(' * Typed inner loops, one per (operation, dtype): each runs over one row of {@code n} elements given every')
w(' * operand\'s segment, byte offset and byte stride. Contiguous rows (and rows with a scalar operand, stride')
w(' * 0) take loops C2 vectorises; every second element (a[..., ::2]) takes a loop with constant strides; any')
w(' * other stride takes the strided loop. Each loop is a method of its own (C2 compiles a loop that had not run')
w(' * when its method got hot without a profile, and never recompiles it). Generated by')
w(' * {@code ndarray/codegen/gen_loops.py}.')
w(' */')
w('final class Loops {')
w('    private Loops() {')
w('    }')
w('')
w('    @FunctionalInterface')
w('    interface Binary {')
w('        void run(MemorySegment x, long ox, long sx, MemorySegment y, long oy, long sy, MemorySegment z, long oz,')
w('                long sz, long n);')
w('    }')
w('')
w('    @FunctionalInterface')
w('    interface Unary {')
w('        void run(MemorySegment x, long ox, long sx, MemorySegment z, long oz, long sz, long n);')
w('    }')
w('')
w('    @FunctionalInterface')
w('    interface Ternary {')
w('        void run(MemorySegment c, long oc, long sc, MemorySegment x, long ox, long sx, MemorySegment y, long oy,')
w('                long sy, MemorySegment z, long oz, long sz, long n);')
w('    }')
w('')

BINOPS = ['add', 'sub', 'mul', 'div', 'pow', 'min', 'max']
binary_table = {}
for op in BINOPS:
    for t in ['b'] + NUM:
        if op == 'div' and t not in FLOATS:
            continue
        if t == 'b' and op not in ('add', 'mul', 'min', 'max'):
            continue
        name = f'{op}_{t}'
        binary_loop(name, t, t, lambda a, b, op=op, t=t: binexpr(op, t, a, b))
        binary_table[(op, t)] = name
CMPOPS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge']
for op in CMPOPS:
    for t in ['b'] + NUM:
        name = f'{op}_{t}'
        binary_loop(name, t, 'b', lambda a, b, op=op, t=t: cmpexpr(op, t, a, b), is_bool_out=True)
        binary_table[(op, t)] = name

UNOPS = {
    'abs': lambda t: 'Math.abs(a)' if t in FLOATS else ('a' if T[t][3] or t == 'u64' else
                                                         ('Math.abs(a)' if T[t][0] in ('int', 'long') else f'({T[t][0]}) Math.abs(a)')),
    'neg': lambda t: '-a' if t in FLOATS or T[t][0] in ('int', 'long') else f'({T[t][0]}) -a',
    'sqrt': lambda t: '(float) Math.sqrt(a)' if t == 'f32' else 'Math.sqrt(a)',
    'exp': lambda t: 'Kernels.expf(a)' if t == 'f32' else 'Math.exp(a)',
    'log': lambda t: '(float) Math.log(a)' if t == 'f32' else 'Math.log(a)',
    'rint': lambda t: '(float) Math.rint(a)' if t == 'f32' else 'Math.rint(a)',
}
unary_table = {}
for op, f in UNOPS.items():
    types = NUM if op in ('abs', 'neg') else FLOATS
    for t in types:
        name = f'{op}_{t}'
        unary_loop(name, t, t, f(t))
        unary_table[(op, t)] = name

ALL = ['b'] + NUM + ['f16', 'bf16']
for f in ALL:
    for t in ALL:
        unary_loop(f'cast_{f}_{t}', f, t, cast_expr(f, t))

# where: select by item size
for size, (jt, L) in {1: ('byte', 'I8'), 2: ('short', 'I16'), 4: ('int', 'I32'), 8: ('long', 'I64')}.items():
    w(f'    static void where{size}(MemorySegment c, long oc, long sc, MemorySegment x, long ox, long sx, MemorySegment y,'
      f' long oy, long sy, MemorySegment z, long oz, long sz, long n) {{')
    w(f'        if (sc == 1 && sx == {size} && sy == {size} && sz == {size}) {{')
    w(f'            where{size}_c(c, oc, x, ox, y, oy, z, oz, n);')
    w(f'        }} else {{')
    w(f'            where{size}_strided(c, oc, sc, x, ox, sx, y, oy, sy, z, oz, sz, n);')
    w(f'        }}')
    w(f'    }}')
    w('')
    loop_method(f'where{size}_c', f'{SEG} c, long oc, {SEG} x, long ox, {SEG} y, long oy, {SEG} z, long oz, long n',
                [f'{jt} a = x.get({L}, ox + i * {size});', f'{jt} b = y.get({L}, oy + i * {size});',
                 f'z.set({L}, oz + i * {size}, c.get(I8, oc + i) != 0 ? a : b);'])
    loop_method(f'where{size}_strided', f'{SEG} c, long oc, long sc, {SEG} x, long ox, long sx, {SEG} y, long oy,'
                f' long sy, {SEG} z, long oz, long sz, long n',
                [f'{jt} a = x.get({L}, ox + i * sx);', f'{jt} b = y.get({L}, oy + i * sy);',
                 f'z.set({L}, oz + i * sz, c.get(I8, oc + i * sc) != 0 ? a : b);'])

# tables
w('    private static int ix(DType t) {')
w('        return switch (t) {')
for i, t in enumerate(ALL):
    w(f'            case {DT[t]} -> {i};')
w('            default -> -1;')
w('        };')
w('    }')
w('')
w('    /** The loop of binary or comparison operation {@code op} (lower-case name) on {@code t}, or null. */')
w('    static Binary binary(String op, DType t) {')
w('        return switch (op + "_" + ix(t)) {')
for (op, t), name in binary_table.items():
    w(f'            case "{op}_{ALL.index(t)}" -> Loops::{name};')
w('            default -> null;')
w('        };')
w('    }')
w('')
w('    /** The loop of unary operation {@code op} on {@code t}, or null. */')
w('    static Unary unary(String op, DType t) {')
w('        return switch (op + "_" + ix(t)) {')
for (op, t), name in unary_table.items():
    w(f'            case "{op}_{ALL.index(t)}" -> Loops::{name};')
w('            default -> null;')
w('        };')
w('    }')
w('')
w('    /** The conversion loop from {@code f} to {@code t} (NumPy unsafe cast), or null for complex types. */')
w('    static Unary cast(DType f, DType t) {')
w('        int a = ix(f), b = ix(t);')
w('        if (a < 0 || b < 0) {')
w('            return null;')
w('        }')
w(f'        return CASTS[a * {len(ALL)} + b];')
w('    }')
w('')
w('    private static final Unary[] CASTS = {')
for f in ALL:
    w('        ' + ', '.join(f'Loops::cast_{f}_{t}' for t in ALL) + ',')
w('    };')
w('')
w('    /** The where loop for elements of {@code itemSize} bytes (1, 2, 4, 8), or null. */')
w('    static Ternary where(int itemSize) {')
w('        return switch (itemSize) {')
w('            case 1 -> Loops::where1;')
w('            case 2 -> Loops::where2;')
w('            case 4 -> Loops::where4;')
w('            case 8 -> Loops::where8;')
w('            default -> null;')
w('        };')
w('    }')
w('}')

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'main', 'java', 'org', 'tensorbridge',
                    'ndarray', 'Loops.java')
with open(path, 'w') as fh:
    fh.write('\n'.join(out) + '\n')
print('wrote', os.path.normpath(path), len(out), 'lines')
