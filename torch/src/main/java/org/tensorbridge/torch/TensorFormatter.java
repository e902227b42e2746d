package org.tensorbridge.torch;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;

/**
 * {@code str(tensor)} as PyTorch writes it (torch/_tensor_str.py with its default print options): the
 * same number formats, widths, line breaks, summarisation beyond 1000 elements and suffixes.
 */
final class TensorFormatter {
    private static final int PRECISION = 4, THRESHOLD = 1000, EDGE_ITEMS = 3, LINE_WIDTH = 80;
    private static final String PREFIX = "tensor(";

    private TensorFormatter() {
    }

    static String format(Tensor tensor) {
        Tensor.Info info = tensor.info();
        long numel = LongStream.of(info.shape()).reduce(1, Math::multiplyExact);
        int indent = PREFIX.length();
        List<String> suffixes = new ArrayList<>();
        if (info.device().type() != DeviceType.CPU) {
            suffixes.add("device='" + info.device() + "'");
        }
        String body;
        if (info.device().type() == DeviceType.META) {
            suffixes.add("size=" + tuple(info.shape()));
            if (info.dtype() != DType.FLOAT32) {
                suffixes.add("dtype=torch." + info.dtype().torchName());
            }
            body = "...";
        } else if (numel == 0) {
            if (info.shape().length != 1) {
                suffixes.add("size=" + tuple(info.shape()));
            }
            if (info.dtype() != DType.FLOAT32) {
                suffixes.add("dtype=torch." + info.dtype().torchName());
            }
            body = "[]";
        } else {
            if (!isDefault(info.dtype())) {
                suffixes.add("dtype=torch." + info.dtype().torchName());
            }
            body = new Body(tensor, info, numel > THRESHOLD).render(indent);
        }
        if (info.layout() != Layout.STRIDED) {
            suffixes.add("layout=torch." + info.layout().name().toLowerCase(java.util.Locale.ROOT));
        }
        String gradFn = tensor.gradFnName();
        if (!gradFn.isEmpty()) {
            suffixes.add("grad_fn=<" + gradFn + ">");
        } else if (info.requiresGrad()) {
            suffixes.add("requires_grad=True");
        }
        return withSuffixes(PREFIX + body, suffixes, indent);
    }

    private static boolean isDefault(DType dtype) {
        return dtype == DType.FLOAT32 || dtype == DType.COMPLEX64 || dtype == DType.INT64 || dtype == DType.BOOL;
    }

    private static String tuple(long[] shape) {
        String items = Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", "));
        return "(" + items + (shape.length == 1 ? ",)" : ")");
    }

    private static String withSuffixes(String tensorStr, List<String> suffixes, int indent) {
        StringBuilder out = new StringBuilder(tensorStr);
        int lastLineLength = tensorStr.length() - tensorStr.lastIndexOf('\n') + 1;
        for (String suffix : suffixes) {
            if (lastLineLength + suffix.length() + 2 > LINE_WIDTH) {
                out.append(",\n").append(" ".repeat(indent)).append(suffix);
                lastLineLength = indent + suffix.length();
            } else {
                out.append(", ").append(suffix);
                lastLineLength += suffix.length() + 2;
            }
        }
        return out.append(')').toString();
    }

    /** The values (summarised: only the edge items of long dimensions) and how to write them. */
    private static final class Body {
        private final long[] shape;        // the tensor's
        private final long[] keptShape;    // of the summarised values
        private final boolean summarize;
        private final DType dtype;
        private final double[] reals;      // floating and complex dtypes (imaginary parts apart)
        private final double[] imags;
        private final long[] integers;     // integer dtypes and bool
        private final NumberFormat first;
        private final NumberFormat second; // imaginary parts; null for real dtypes

        Body(Tensor tensor, Tensor.Info info, boolean summarize) {
            this.shape = info.shape();
            this.summarize = summarize;
            this.dtype = info.dtype();
            this.keptShape = new long[shape.length];
            try (Scope scope = Scope.open()) {
                Tensor kept = tensor;
                for (int d = 0; d < shape.length; d++) {
                    keptShape[d] = summarize && shape[d] > 2 * EDGE_ITEMS ? 2 * EDGE_ITEMS : shape[d];
                    if (keptShape[d] != shape[d]) {
                        long n = shape[d];
                        long[] edges = {0, 1, 2, n - 3, n - 2, n - 1};
                        kept = kept.indexSelect(d, Tensor.of(edges));
                    }
                }
                if (dtype.isComplex()) {
                    double[] interleaved = kept.toComplexArray();
                    reals = new double[interleaved.length / 2];
                    imags = new double[interleaved.length / 2];
                    for (int i = 0; i < reals.length; i++) {
                        reals[i] = interleaved[2 * i];
                        imags[i] = interleaved[2 * i + 1];
                    }
                    integers = null;
                    first = NumberFormat.ofFloats(reals);
                    second = NumberFormat.ofFloats(imags);
                } else if (dtype.isFloatingPoint()) {
                    reals = kept.toDoubleArray();
                    imags = null;
                    integers = null;
                    first = NumberFormat.ofFloats(reals);
                    second = null;
                } else {
                    integers = kept.toLongArray();
                    reals = null;
                    imags = null;
                    first = NumberFormat.ofIntegers(integers, dtype == DType.BOOL);
                    second = null;
                }
            }
        }

        String render(int indent) {
            return render(0, 0, indent);
        }

        // The sub-tensor at dimension {@code dim}, starting at flat index {@code start} of the kept values.
        private String render(int dim, int start, int indent) {
            if (shape.length == 0) {
                return element(0);
            }
            int stride = 1;
            for (int d = dim + 1; d < keptShape.length; d++) {
                stride *= (int) keptShape[d];
            }
            boolean elided = keptShape[dim] != shape[dim];
            if (dim == shape.length - 1) {
                return vector(start, indent, elided);
            }
            List<String> slices = new ArrayList<>();
            for (int i = 0; i < keptShape[dim]; i++) {
                if (elided && i == EDGE_ITEMS) {
                    slices.add("...");
                }
                slices.add(render(dim + 1, start + i * stride, indent + 1));
            }
            int remaining = shape.length - dim;
            return "[" + String.join("," + "\n".repeat(remaining - 1) + " ".repeat(indent + 1), slices) + "]";
        }

        private String vector(int start, int indent, boolean elided) {
            int elementLength = first.width + 2 + (second != null ? second.width + 1 : 0);
            int perLine = Math.max(1, (LINE_WIDTH - indent) / elementLength);
            List<String> data = new ArrayList<>();
            for (int i = 0; i < keptShape[keptShape.length - 1]; i++) {
                if (elided && i == EDGE_ITEMS) {
                    data.add(" ...");
                }
                data.add(element(start + i));
            }
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < data.size(); i += perLine) {
                lines.add(String.join(", ", data.subList(i, Math.min(data.size(), i + perLine))));
            }
            return "[" + String.join(",\n" + " ".repeat(indent + 1), lines) + "]";
        }

        private String element(int flat) {
            if (integers != null) {
                return first.formatInteger(integers[flat]);
            }
            String real = first.format(reals[flat]);
            if (second == null) {
                return real;
            }
            String imag = (second.format(imags[flat]) + "j").stripLeading();
            return imag.startsWith("+") || imag.startsWith("-") ? real + imag : real + "+" + imag;
        }
    }

    /** PyTorch's _Formatter: one number style and width for all the values of a tensor. */
    private static final class NumberFormat {
        private final boolean floating;
        private final boolean bool;
        private boolean intMode = true;
        private boolean sciMode;
        private int width = 1;

        private NumberFormat(boolean floating, boolean bool) {
            this.floating = floating;
            this.bool = bool;
        }

        static NumberFormat ofIntegers(long[] values, boolean bool) {
            NumberFormat format = new NumberFormat(false, bool);
            for (long value : values) {
                format.width = Math.max(format.width, format.integer(value).length());
            }
            return format;
        }

        static NumberFormat ofFloats(double[] values) {
            NumberFormat format = new NumberFormat(true, false);
            double[] finite = Arrays.stream(values).filter(v -> Double.isFinite(v) && v != 0).toArray();
            if (finite.length == 0) {
                return format;
            }
            double min = Arrays.stream(finite).map(Math::abs).min().orElseThrow();
            double max = Arrays.stream(finite).map(Math::abs).max().orElseThrow();
            for (double v : finite) {
                if (v != Math.ceil(v)) {
                    format.intMode = false;
                    break;
                }
            }
            boolean wide = max / min > 1000.0 || max > 1.0e8;
            if (format.intMode) {
                format.sciMode = wide;
                for (double v : finite) {
                    int length = format.sciMode ? scientific(v).length() : fixed(v, 0).length() + 1;
                    format.width = Math.max(format.width, length);
                }
            } else {
                format.sciMode = wide || min < 1.0e-4;
                for (double v : finite) {
                    format.width = Math.max(format.width, (format.sciMode ? scientific(v) : fixed(v, PRECISION)).length());
                }
            }
            return format;
        }

        String format(double value) {
            String text;
            if (sciMode) {
                text = scientific(value);
            } else if (intMode) {
                text = fixed(value, 0) + (Double.isFinite(value) ? "." : "");
            } else {
                text = fixed(value, PRECISION);
            }
            return pad(text);
        }

        String formatInteger(long value) {
            return pad(integer(value));
        }

        private String integer(long value) {
            return bool ? (value != 0 ? "True" : "False") : Long.toString(value);
        }

        private String pad(String text) {
            return " ".repeat(Math.max(0, width - text.length())) + text;
        }

        // Python's "{:.Nf}": the exact binary value rounded half-even; the sign of negative zero kept.
        private static String fixed(double value, int digits) {
            if (!Double.isFinite(value)) {
                return nonFinite(value);
            }
            String text = new BigDecimal(value).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
            return negative(value) && !text.startsWith("-") ? "-" + text : text;
        }

        // Python's "{:.4e}".
        private static String scientific(double value) {
            if (!Double.isFinite(value)) {
                return nonFinite(value);
            }
            String sign = negative(value) ? "-" : "";
            if (value == 0) {
                return sign + "0." + "0".repeat(PRECISION) + "e+00";
            }
            BigDecimal rounded = new BigDecimal(Math.abs(value)).round(new MathContext(PRECISION + 1, RoundingMode.HALF_EVEN));
            String digits = rounded.unscaledValue().toString();
            int exponent = digits.length() - 1 - rounded.scale();
            digits = (digits + "0".repeat(PRECISION + 1)).substring(0, PRECISION + 1);
            String exp = String.format("%02d", Math.abs(exponent));
            return sign + digits.charAt(0) + "." + digits.substring(1) + "e" + (exponent < 0 ? "-" : "+") + exp;
        }

        private static boolean negative(double value) {
            return value < 0 || (value == 0 && 1 / value < 0);
        }

        private static String nonFinite(double value) {
            return Double.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
        }
    }
}
