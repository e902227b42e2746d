package org.tensorbridge.ndarray.io;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny strict JSON (RFC 8259) parser and string writer, enough for safetensors headers. Objects become
 * {@link LinkedHashMap} (insertion order, duplicate keys rejected), arrays {@link List}, integers
 * {@link BigInteger}, other numbers {@link BigDecimal}, {@code null} becomes {@link #NULL}.
 */
final class Json {
    /** The JSON {@code null} value. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private static final int MAX_DEPTH = 64;

    private final String text;
    private final String source;
    private final long baseOffset;
    private int pos;
    private int depth;

    private Json(String text, String source, long baseOffset) {
        this.text = text;
        this.source = source;
        this.baseOffset = baseOffset;
    }

    /**
     * Parses one JSON value; only whitespace may follow it. Errors name {@code source} and the position
     * {@code baseOffset + character index}.
     */
    static Object parse(String text, String source, long baseOffset) throws ArrayFileFormatException {
        Json p = new Json(text, source, baseOffset);
        p.skipWs();
        Object value = p.value();
        p.skipWs();
        if (p.pos != text.length()) {
            throw p.error("unexpected " + p.describe() + " after the end of the JSON value");
        }
        return value;
    }

    private ArrayFileFormatException error(String message) {
        return ArrayFileFormatException.at(source, baseOffset + pos,
                "malformed JSON header: " + message + " (character " + pos + " of the header)");
    }

    private String describe() {
        return ArrayIo.describeCharAt(text, pos);
    }

    private void skipWs() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                pos++;
            } else {
                break;
            }
        }
    }

    private Object value() throws ArrayFileFormatException {
        if (pos >= text.length()) {
            throw error("expected a value, found end of header");
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("expected a value, found " + describe());
            }
        };
    }

    private Object literal(String word, Object value) throws ArrayFileFormatException {
        if (!text.startsWith(word, pos)) {
            throw error("expected '" + word + "', found " + describe());
        }
        pos += word.length();
        return value;
    }

    private void enter() throws ArrayFileFormatException {
        if (++depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH + " levels");
        }
    }

    private Map<String, Object> object() throws ArrayFileFormatException {
        enter();
        pos++; // '{'
        Map<String, Object> map = new LinkedHashMap<>();
        skipWs();
        if (pos < text.length() && text.charAt(pos) == '}') {
            pos++;
            depth--;
            return map;
        }
        while (true) {
            skipWs();
            if (pos >= text.length() || text.charAt(pos) != '"') {
                throw error("expected a string key, found " + describe());
            }
            int keyPos = pos;
            String key = string();
            skipWs();
            expect(':');
            skipWs();
            Object v = value();
            if (map.containsKey(key)) {
                pos = keyPos;
                throw error("duplicate key \"" + key + "\"");
            }
            map.put(key, v);
            skipWs();
            if (pos < text.length() && text.charAt(pos) == ',') {
                pos++;
                continue;
            }
            if (pos < text.length() && text.charAt(pos) == '}') {
                pos++;
                depth--;
                return map;
            }
            throw error("expected ',' or '}' in object, found " + describe());
        }
    }

    private List<Object> array() throws ArrayFileFormatException {
        enter();
        pos++; // '['
        List<Object> list = new ArrayList<>();
        skipWs();
        if (pos < text.length() && text.charAt(pos) == ']') {
            pos++;
            depth--;
            return list;
        }
        while (true) {
            skipWs();
            list.add(value());
            skipWs();
            if (pos < text.length() && text.charAt(pos) == ',') {
                pos++;
                continue;
            }
            if (pos < text.length() && text.charAt(pos) == ']') {
                pos++;
                depth--;
                return list;
            }
            throw error("expected ',' or ']' in array, found " + describe());
        }
    }

    private void expect(char c) throws ArrayFileFormatException {
        if (pos >= text.length() || text.charAt(pos) != c) {
            throw error("expected '" + c + "', found " + describe());
        }
        pos++;
    }

    private String string() throws ArrayFileFormatException {
        pos++; // opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                return sb.toString();
            }
            if (c < 0x20) {
                throw error("unescaped control character U+" + String.format("%04X", (int) c) + " in string");
            }
            if (c != '\\') {
                sb.append(c);
                pos++;
                continue;
            }
            pos++;
            if (pos >= text.length()) {
                throw error("unterminated escape sequence");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    char u = hex4();
                    if (Character.isHighSurrogate(u)) {
                        if (!text.startsWith("\\u", pos)) {
                            throw error("lone high surrogate in \\u escape");
                        }
                        pos += 2;
                        char low = hex4();
                        if (!Character.isLowSurrogate(low)) {
                            throw error("high surrogate not followed by a low surrogate in \\u escape");
                        }
                        sb.append(u).append(low);
                    } else if (Character.isLowSurrogate(u)) {
                        throw error("lone low surrogate in \\u escape");
                    } else {
                        sb.append(u);
                    }
                }
                default -> {
                    pos--;
                    throw error("invalid escape '\\" + e + "'");
                }
            }
        }
    }

    private char hex4() throws ArrayFileFormatException {
        if (pos + 4 > text.length()) {
            throw error("truncated \\u escape");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(text.charAt(pos + i), 16);
            if (d < 0) {
                pos += i;
                throw error("invalid hex digit in \\u escape: " + describe());
            }
            v = v * 16 + d;
        }
        pos += 4;
        return (char) v;
    }

    private Object number() throws ArrayFileFormatException {
        int start = pos;
        if (text.charAt(pos) == '-') {
            pos++;
        }
        if (pos >= text.length() || !isDigit(text.charAt(pos))) {
            throw error("expected a digit, found " + describe());
        }
        if (text.charAt(pos) == '0') {
            pos++;
            if (pos < text.length() && isDigit(text.charAt(pos))) {
                throw error("leading zeros are not allowed in numbers");
            }
        } else {
            digits();
        }
        boolean integral = true;
        if (pos < text.length() && text.charAt(pos) == '.') {
            integral = false;
            pos++;
            if (pos >= text.length() || !isDigit(text.charAt(pos))) {
                throw error("expected a digit after '.', found " + describe());
            }
            digits();
        }
        if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            integral = false;
            pos++;
            if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
                pos++;
            }
            if (pos >= text.length() || !isDigit(text.charAt(pos))) {
                throw error("expected a digit in exponent, found " + describe());
            }
            digits();
        }
        String s = text.substring(start, pos);
        if (s.length() > 400) {
            pos = start;
            throw error("number literal longer than 400 characters");
        }
        if (integral) {
            return new BigInteger(s);
        }
        try {
            return new BigDecimal(s);
        } catch (NumberFormatException e) {
            // an exponent beyond BigDecimal's int scale ("1e-2147483649"): valid JSON; as a double it is 0 or
            // infinite, and no safetensors field takes a non-integer anyway
            return Double.valueOf(s);
        }
    }

    private void digits() {
        while (pos < text.length() && isDigit(text.charAt(pos))) {
            pos++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Appends {@code s} as a JSON string literal. */
    static void writeString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
