package org.tensorbridge.torch.internal;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * libtorch's "expected scalar type Double but found Float" names C++ types and no fix; this appends the
 * dtypes as users write them and the conversion to call.
 */
final class DtypeMismatch {
    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("Double", "float64"), Map.entry("double", "float64"),
            Map.entry("Float", "float32"), Map.entry("float", "float32"),
            Map.entry("Half", "float16"), Map.entry("half", "float16"), Map.entry("c10::Half", "float16"),
            Map.entry("BFloat16", "bfloat16"), Map.entry("c10::BFloat16", "bfloat16"),
            Map.entry("Long", "int64"), Map.entry("long int", "int64"), Map.entry("Int", "int32"), Map.entry("int", "int32"),
            Map.entry("Short", "int16"), Map.entry("Char", "int8"), Map.entry("Byte", "uint8"), Map.entry("Bool", "bool"),
            Map.entry("ComplexFloat", "complex64"), Map.entry("ComplexDouble", "complex128"));
    private static final Pattern[] PATTERNS = {
            Pattern.compile("expected scalar type (\\w+) but found (\\w+)"),
            Pattern.compile("Found dtype (\\w+) but expected (\\w+)"),
            Pattern.compile("to have the same dtype, but got: ([\\w: ]+?) != ([\\w: ]+?)(?:$|[^\\w: ])"),
            Pattern.compile("same dtype, but found (\\w+) and (\\w+)")};

    private DtypeMismatch() {
    }

    static String withFix(String message) {
        for (Pattern pattern : PATTERNS) {
            Matcher m = pattern.matcher(message);
            if (m.find()) {
                String first = NAMES.get(m.group(1).trim());
                String second = NAMES.get(m.group(2).trim());
                if (first != null && second != null && !first.equals(second)) {
                    return message + " (the operands are " + first + " and " + second + "; convert one of them"
                            + " first, e.g. other.to(DType." + first.toUpperCase(java.util.Locale.ROOT) + "))";
                }
            }
        }
        return message;
    }
}
