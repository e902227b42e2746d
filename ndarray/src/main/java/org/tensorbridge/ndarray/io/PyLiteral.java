package org.tensorbridge.ndarray.io;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the subset of Python literal syntax ({@code ast.literal_eval}) that {@code .npy} headers use: dicts,
 * tuples, lists, str, int, True/False/None. Tuples become {@link Tuple}, lists {@link List}, dicts
 * {@link LinkedHashMap} (a repeated key keeps the last value, as in Python), ints {@link BigInteger},
 * None {@link #NONE}.
 */
final class PyLiteral {
    static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    /** A Python tuple. */
    record Tuple(List<Object> items) {
    }

    private static final int MAX_DEPTH = 64;

    private final String text;
    private final String source;
    private final long baseOffset;
    private final boolean allowLongSuffix;
    private int pos;
    private int depth;

    private PyLiteral(String text, String source, long baseOffset, boolean allowLongSuffix) {
        this.text = text;
        this.source = source;
        this.baseOffset = baseOffset;
        this.allowLongSuffix = allowLongSuffix;
    }

    /**
     * Parses {@code text} as one literal followed only by whitespace. {@code allowLongSuffix} accepts Python 2's
     * {@code 10L} integers (NumPy filters them for format versions 1.0 and 2.0).
     */
    static Object parse(String text, String source, long baseOffset, boolean allowLongSuffix)
            throws ArrayFileFormatException {
        PyLiteral p = new PyLiteral(text, source, baseOffset, allowLongSuffix);
        p.skipWs();
        Object v = p.value();
        p.skipWs();
        if (p.pos != text.length()) {
            throw p.error("unexpected " + p.describe() + " after the end of the dict literal");
        }
        return v;
    }

    private ArrayFileFormatException error(String message) {
        return ArrayFileFormatException.at(source, baseOffset + pos, "malformed .npy header (a Python dict literal"
                + " like {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }): " + message
                + "; header text: " + abbreviate(text));
    }

    static String abbreviate(String s) {
        String t = s.strip();
        return t.length() > 200 ? '"' + t.substring(0, 200) + "...\"" : '"' + t + '"';
    }

    private String describe() {
        return ArrayIo.describeCharAt(text, pos);
    }

    private void skipWs() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                pos++;
            } else {
                break;
            }
        }
    }

    private boolean peek(char c) {
        return pos < text.length() && text.charAt(pos) == c;
    }

    private void enter() throws ArrayFileFormatException {
        if (++depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH + " levels");
        }
    }

    private Object value() throws ArrayFileFormatException {
        skipWs();
        if (pos >= text.length()) {
            throw error("expected a value, found end of header");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return dict();
            case '(':
                return tuple();
            case '[':
                return list();
            case '\'':
            case '"':
                return string();
            case '-':
            case '+': {
                pos++;
                skipWs();
                if (pos >= text.length() || !isAsciiDigit(text.charAt(pos))) {
                    throw error("expected a number after '" + c + "', found " + describe());
                }
                BigInteger v = integer();
                return c == '-' ? v.negate() : v;
            }
            default:
                if (c >= '0' && c <= '9') {
                    return integer();
                }
                if (c == 'u' || c == 'U') {
                    if (pos + 1 < text.length() && (text.charAt(pos + 1) == '\'' || text.charAt(pos + 1) == '"')) {
                        pos++;
                        return string();
                    }
                }
                if (Character.isLetter(c) || c == '_') {
                    int start = pos;
                    while (pos < text.length()
                            && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
                        pos++;
                    }
                    String word = text.substring(start, pos);
                    return switch (word) {
                        case "True" -> Boolean.TRUE;
                        case "False" -> Boolean.FALSE;
                        case "None" -> NONE;
                        default -> {
                            pos = start;
                            throw error("unexpected name '" + word + "' (only literals are allowed)");
                        }
                    };
                }
                throw error("expected a value, found " + describe());
        }
    }

    private Map<Object, Object> dict() throws ArrayFileFormatException {
        enter();
        pos++;
        Map<Object, Object> map = new LinkedHashMap<>();
        while (true) {
            skipWs();
            if (peek('}')) {
                pos++;
                depth--;
                return map;
            }
            Object key = value();
            if (key instanceof Map || key instanceof List) {
                throw error("unhashable dict key");
            }
            skipWs();
            if (!peek(':')) {
                throw error("expected ':' after dict key, found " + describe());
            }
            pos++;
            Object v = value();
            map.remove(key);
            map.put(key, v);
            skipWs();
            if (peek(',')) {
                pos++;
            } else if (!peek('}')) {
                throw error("expected ',' or '}' in dict, found " + describe());
            }
        }
    }

    private Object tuple() throws ArrayFileFormatException {
        enter();
        pos++;
        List<Object> items = new ArrayList<>();
        boolean sawComma = false;
        while (true) {
            skipWs();
            if (peek(')')) {
                pos++;
                depth--;
                if (items.size() == 1 && !sawComma) {
                    return items.get(0); // (x) is just x
                }
                return new Tuple(List.copyOf(items));
            }
            items.add(value());
            skipWs();
            if (peek(',')) {
                pos++;
                sawComma = true;
            } else if (!peek(')')) {
                throw error("expected ',' or ')' in tuple, found " + describe());
            }
        }
    }

    private List<Object> list() throws ArrayFileFormatException {
        enter();
        pos++;
        List<Object> items = new ArrayList<>();
        while (true) {
            skipWs();
            if (peek(']')) {
                pos++;
                depth--;
                return items;
            }
            items.add(value());
            skipWs();
            if (peek(',')) {
                pos++;
            } else if (!peek(']')) {
                throw error("expected ',' or ']' in list, found " + describe());
            }
        }
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9'; // Character.isDigit also takes other scripts' digits, which Python refuses
    }

    private BigInteger integer() throws ArrayFileFormatException {
        int start = pos;
        // Python's decimal literal: ASCII digits, single underscores only between digits ("1_000").
        while (pos < text.length() && (isAsciiDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
            if (text.charAt(pos) == '_' && (pos + 1 >= text.length() || !isAsciiDigit(text.charAt(pos + 1)))) {
                throw error("an underscore in an integer must separate two digits (Python refuses '"
                        + text.substring(start, pos + 1) + "')");
            }
            pos++;
        }
        String digits = text.substring(start, pos).replace("_", "");
        if (digits.length() > 1 && digits.charAt(0) == '0' && !digits.chars().allMatch(ch -> ch == '0')) {
            pos = start;
            throw error("leading zeros in an integer are not allowed in Python 3");
        }
        if (digits.length() > 100) {
            pos = start;
            throw error("integer literal longer than 100 digits");
        }
        if (pos < text.length() && (text.charAt(pos) == 'L' || text.charAt(pos) == 'l') && allowLongSuffix) {
            pos++;
        }
        if (pos < text.length() && (text.charAt(pos) == '.' || text.charAt(pos) == 'e' || text.charAt(pos) == 'E'
                || text.charAt(pos) == 'j' || Character.isLetterOrDigit(text.charAt(pos)))) {
            throw error("expected an integer, found " + describe() + " after '" + digits + "'");
        }
        return new BigInteger(digits);
    }

    private String string() throws ArrayFileFormatException {
        char quote = text.charAt(pos++);
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == quote) {
                return sb.toString();
            }
            if (c == '\n') {
                pos--;
                throw error("newline inside a string");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= text.length()) {
                throw error("unterminated escape");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '\\' -> sb.append('\\');
                case '\'' -> sb.append('\'');
                case '"' -> sb.append('"');
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case '0' -> sb.append('\0');
                case 'x' -> sb.append((char) hex(2));
                case 'u' -> sb.append((char) hex(4));
                case 'U' -> sb.appendCodePoint(hex(8));
                case '\n' -> {
                }
                default -> sb.append('\\').append(e);
            }
        }
    }

    private int hex(int n) throws ArrayFileFormatException {
        if (pos + n > text.length()) {
            throw error("truncated escape");
        }
        int v = 0;
        for (int i = 0; i < n; i++) {
            int d = Character.digit(text.charAt(pos + i), 16);
            if (d < 0) {
                throw error("invalid hex escape");
            }
            v = v * 16 + d;
        }
        if (!Character.isValidCodePoint(v)) {
            throw error("invalid code point in escape");
        }
        pos += n;
        return v;
    }
}
