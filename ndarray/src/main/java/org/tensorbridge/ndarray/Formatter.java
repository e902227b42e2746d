package org.tensorbridge.ndarray;

import org.tensorbridge.core.DType;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * NumPy-like {@code repr}: {@code array([[1., 2.],\n       [3., 4.]], dtype=float32)}. Follows NumPy's
 * defaults (line width 75, precision 8, threshold 1000 with 3 edge items, floats in positional or
 * scientific notation with aligned decimal points); not byte-identical in every corner case (notably
 * complex numbers are formatted simply).
 */
final class Formatter {
    private Formatter() {
    }

    private static final int LINE_WIDTH = 75;
    private static final int THRESHOLD = 1000;
    private static final int EDGE = 3;

    static String repr(NDArray a) {
        if (!a.isAlive()) {
            return "NDArray(<freed>, shape=" + Shapes.str(a.shapeRef()) + ", dtype=" + a.dtype().numpyName() + ")";
        }
        DType t = a.dtype();
        long[] shape = a.shapeRef();
        boolean implied = t == DType.FLOAT64 || t == DType.INT64 || t == DType.BOOL;
        String prefix = "array(";
        String lst;
        boolean summarize = a.size() > THRESHOLD;
        if (a.size() == 0) {
            lst = "[]";
        } else {
            List<long[]> shown = new ArrayList<>();
            collect(a, new long[shape.length], 0, summarize, shown);
            LongFunction<String> fmt = formatFor(a, shown);
            lst = format(a, fmt, summarize, LINE_WIDTH - 1, " " + " ".repeat(prefix.length()));
        }
        List<String> extras = new ArrayList<>();
        if ((a.size() == 0 && shape.length != 1) || summarize) {
            extras.add("shape=" + Shapes.str(shape));
        }
        if (!implied || a.size() == 0) {
            extras.add("dtype=" + t.numpyName());
        }
        if (extras.isEmpty()) {
            return prefix + lst + ")";
        }
        String arr = prefix + lst + ",";
        String extra = String.join(", ", extras) + ")";
        int lastLine = arr.length() - (arr.lastIndexOf('\n') + 1);
        String spacer = lastLine + extra.length() + 1 > LINE_WIDTH ? "\n" + " ".repeat(prefix.length()) : " ";
        return arr + spacer + extra;
    }

    private static void collect(NDArray a, long[] idx, int axis, boolean summarize, List<long[]> out) {
        long[] shape = a.shapeRef();
        if (axis == shape.length) {
            out.add(idx.clone());
            return;
        }
        long n = shape[axis];
        for (long i = 0; i < n; i++) {
            if (summarize && n > 2 * EDGE && i == EDGE) {
                i = n - EDGE;
            }
            idx[axis] = i;
            collect(a, idx, axis + 1, summarize, out);
        }
    }

    /** Formats one element given its index packed as a position in {@code shown} (unused) – returns by index. */
    private static LongFunction<String> formatFor(NDArray a, List<long[]> shown) {
        // we format by flat C index, computed lazily through a thread-local index decoder
        DType t = a.dtype();
        long[] shape = a.shapeRef();
        LongFunction<long[]> decode = flat -> Shapes.unravel(flat, shape);
        if (t == DType.BOOL) {
            boolean anyFalse = false;
            for (long[] i : shown) {
                anyFalse |= !a.getBoolean(i);
            }
            boolean pad = anyFalse;
            return flat -> {
                boolean v = a.getBoolean(decode.apply(flat));
                return v ? (pad ? " True" : "True") : "False";
            };
        }
        if (t.isInteger()) {
            int width = 0;
            for (long[] i : shown) {
                width = Math.max(width, intStr(a, i).length());
            }
            int w = width;
            return flat -> pad(intStr(a, decode.apply(flat)), w);
        }
        if (t.isComplex()) {
            return flat -> {
                long[] i = decode.apply(flat);
                double re = a.getDouble(i);
                double im = a.getImag(i);
                return plain(re, t) + (im < 0 || (im == 0 && 1 / im < 0) ? "-" : "+") + plain(Math.abs(im), t) + "j";
            };
        }
        FloatFmt ff = new FloatFmt(a, shown);
        return flat -> ff.format(a.getDouble(decode.apply(flat)));
    }

    private static String intStr(NDArray a, long[] i) {
        long v = a.getLong(i);
        return a.dtype() == DType.UINT64 ? Long.toUnsignedString(v) : Long.toString(v);
    }

    private static String pad(String s, int w) {
        return s.length() >= w ? s : " ".repeat(w - s.length()) + s;
    }

    /** Shortest round-trip digits of the value in its dtype, positional. */
    static String shortest(double v, DType t) {
        String s = (t == DType.FLOAT64) ? Double.toString(v) : Float.toString((float) v);
        return new BigDecimal(s).toPlainString();
    }

    private static String plain(double v, DType t) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        String s = positional(v, t);
        return s;
    }

    /** Positional digits, unique, at most 8 fractional digits, trailing zeros trimmed (keeps the '.'). */
    static String positional(double v, DType t) {
        String s = shortest(v, t);
        BigDecimal bd = new BigDecimal(s);
        if (bd.scale() > 8) {
            bd = new BigDecimal(v).setScale(8, RoundingMode.HALF_EVEN);
        }
        bd = bd.stripTrailingZeros();
        if (bd.scale() < 0) {
            bd = bd.setScale(0);
        }
        String r = bd.toPlainString();
        if (v == 0 && 1 / v < 0) {
            r = "-0";
        }
        return r.contains(".") ? r : r + ".";
    }

    private static final class FloatFmt {
        final DType t;
        boolean exp;
        int padLeft;
        int padRight;
        int expSize;

        FloatFmt(NDArray a, List<long[]> shown) {
            t = a.dtype();
            double maxAbs = 0;
            double minAbs = Double.POSITIVE_INFINITY;
            List<Double> finite = new ArrayList<>();
            boolean anyNonFinite = false;
            for (long[] i : shown) {
                double v = a.getDouble(i);
                if (Double.isFinite(v)) {
                    finite.add(v);
                    double m = Math.abs(v);
                    if (m != 0) {
                        maxAbs = Math.max(maxAbs, m);
                        minAbs = Math.min(minAbs, m);
                    }
                } else {
                    anyNonFinite = true;
                }
            }
            if (!finite.isEmpty() && maxAbs != 0) {
                exp = maxAbs >= 1e8 || minAbs < 1e-4 || maxAbs / minAbs > 1e3;
            }
            if (exp) {
                for (double v : finite) {
                    String[] me = sci(v);
                    int dot = me[0].indexOf('.');
                    padLeft = Math.max(padLeft, dot);
                    padRight = Math.max(padRight, me[0].length() - dot - 1);
                    expSize = Math.max(expSize, me[1].length() - 2);
                }
            } else {
                for (double v : finite) {
                    String p = positional(v, t);
                    int dot = p.indexOf('.');
                    padLeft = Math.max(padLeft, dot);
                    padRight = Math.max(padRight, p.length() - dot - 1);
                }
            }
            if (anyNonFinite) {
                for (long[] i : shown) {
                    double v = a.getDouble(i);
                    if (!Double.isFinite(v)) {
                        int len = Double.isNaN(v) ? 3 : (v > 0 ? 3 : 4);
                        if (finite.isEmpty()) {
                            padLeft = Math.max(padLeft, len);
                        } else {
                            padLeft = Math.max(padLeft, len - padRight - 1);
                        }
                    }
                }
            }
        }

        /** Mantissa (unique digits, '.' kept) and exponent string like "e-05". */
        String[] sci(double v) {
            BigDecimal bd = new BigDecimal(shortest(v, t));
            if (bd.signum() == 0) {
                return new String[] {(v == 0 && 1 / v < 0) ? "-0." : "0.", "e+00"};
            }
            int e = bd.precision() - bd.scale() - 1;
            BigDecimal m = bd.movePointLeft(e);
            if (m.scale() > 8) {
                m = new BigDecimal(v).movePointLeft(e).setScale(8, RoundingMode.HALF_EVEN);
            }
            m = m.stripTrailingZeros();
            if (m.scale() < 0) {
                m = m.setScale(0);
            }
            String ms = m.toPlainString();
            if (!ms.contains(".")) {
                ms += ".";
            }
            String es = String.format("%02d", Math.abs(e));
            return new String[] {ms, "e" + (e < 0 ? "-" : "+") + es};
        }

        String format(double v) {
            if (!Double.isFinite(v)) {
                String s = Double.isNaN(v) ? "nan" : (v > 0 ? "inf" : "-inf");
                int width = padLeft + padRight + 1 + (exp ? expSize + 2 : 0);
                if (padRight == 0 && !exp && width <= padLeft) {
                    width = padLeft;
                }
                return pad(s, width);
            }
            if (exp) {
                String[] me = sci(v);
                String m = me[0];
                int dot = m.indexOf('.');
                String frac = m.substring(dot + 1);
                frac = frac + "0".repeat(padRight - frac.length());
                String ex = me[1];
                String digits = ex.substring(2);
                while (digits.length() < expSize) {
                    digits = "0" + digits;
                }
                return pad(m.substring(0, dot), padLeft) + "." + frac + ex.substring(0, 2) + digits;
            }
            String p = positional(v, t);
            int dot = p.indexOf('.');
            String frac = p.substring(dot + 1);
            return pad(p.substring(0, dot), padLeft) + "." + frac + " ".repeat(padRight - frac.length());
        }
    }

    // ---------------------------------------------------------------- NumPy's _formatArray

    private static String format(NDArray a, LongFunction<String> fmt, boolean summarize, int lineWidth,
            String nextLinePrefix) {
        return recurse(a, fmt, summarize, new long[0], nextLinePrefix, lineWidth, lineWidth);
    }

    private static String[] extendLine(String s, String line, String word, int width, String nextPrefix) {
        boolean needsWrap = line.length() + word.length() > width;
        if (line.length() <= nextPrefix.length()) {
            needsWrap = false;
        }
        if (needsWrap) {
            s += stripTrailing(line) + "\n";
            line = nextPrefix;
        }
        line += word;
        return new String[] {s, line};
    }

    private static String stripTrailing(String s) {
        return s.stripTrailing();
    }

    private static String recurse(NDArray a, LongFunction<String> fmt, boolean summarize, long[] index,
            String hanging, int currWidth, int lineWidth) {
        long[] shape = a.shapeRef();
        int axis = index.length;
        int axesLeft = shape.length - axis;
        if (axesLeft == 0) {
            long flat = 0;
            for (int k = 0; k < shape.length; k++) {
                flat = flat * shape[k] + index[k];
            }
            return fmt.apply(flat);
        }
        String nextHanging = hanging + " ";
        int nextWidth = currWidth - 1;
        long n = shape[axis];
        boolean showSummary = summarize && 2 * EDGE < n;
        long leading = showSummary ? EDGE : 0;
        long trailing = showSummary ? EDGE : n;
        String sep = ", ";
        String s = "";
        if (axesLeft == 1) {
            int elemWidth = currWidth - Math.max(sep.stripTrailing().length(), 1);
            String line = hanging;
            for (long i = 0; i < leading; i++) {
                String word = recurse(a, fmt, summarize, append(index, i), nextHanging, nextWidth, lineWidth);
                String[] r = extendLine(s, line, word, elemWidth, hanging);
                s = r[0];
                line = r[1] + sep;
            }
            if (showSummary) {
                String[] r = extendLine(s, line, "...", elemWidth, hanging);
                s = r[0];
                line = r[1] + sep;
            }
            for (long i = trailing; i > 1; i--) {
                String word = recurse(a, fmt, summarize, append(index, n - i), nextHanging, nextWidth, lineWidth);
                String[] r = extendLine(s, line, word, elemWidth, hanging);
                s = r[0];
                line = r[1] + sep;
            }
            String word = recurse(a, fmt, summarize, append(index, n - 1), nextHanging, nextWidth, lineWidth);
            String[] r = extendLine(s, line, word, elemWidth, hanging);
            s = r[0] + r[1];
        } else {
            String lineSep = sep.stripTrailing() + "\n".repeat(axesLeft - 1);
            StringBuilder sb = new StringBuilder();
            for (long i = 0; i < leading; i++) {
                sb.append(hanging).append(recurse(a, fmt, summarize, append(index, i), nextHanging, nextWidth, lineWidth))
                        .append(lineSep);
            }
            if (showSummary) {
                sb.append(hanging).append("...").append(lineSep);
            }
            for (long i = trailing; i > 1; i--) {
                sb.append(hanging).append(recurse(a, fmt, summarize, append(index, n - i), nextHanging, nextWidth,
                        lineWidth)).append(lineSep);
            }
            sb.append(hanging).append(recurse(a, fmt, summarize, append(index, n - 1), nextHanging, nextWidth, lineWidth));
            s = sb.toString();
        }
        return "[" + s.substring(hanging.length()) + "]";
    }

    private static long[] append(long[] a, long v) {
        long[] r = java.util.Arrays.copyOf(a, a.length + 1);
        r[a.length] = v;
        return r;
    }
}
