package org.tensorbridge.cli.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A {@code .env} file read as data: {@code KEY=VALUE} lines, blank lines and {@code #} comments, an optional
 * {@code export } prefix, values optionally in single quotes (literal) or double quotes ({@code \"}, {@code \\},
 * {@code \n}, {@code \t} escapes). Nothing is expanded or executed: {@code $HOME}, {@code ${X}}, {@code $(cmd)}
 * and backticks stay literal text, because the file configures a program, it is not a shell script.
 */
public final class DotEnv {
    private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");

    private DotEnv() {
    }

    /** The file's entries in file order (a later line with the same key wins). */
    public static Map<String, String> read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses {@code text}; {@code source} names it in error messages. */
    public static Map<String, String> parse(String text, String source) {
        Map<String, String> entries = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring("export ".length()).stripLeading();
            }
            int eq = line.indexOf('=');
            String where = source + ", line " + (i + 1);
            if (eq < 0) {
                throw new IllegalArgumentException(where + ": '" + lines[i].strip() + "' is not KEY=VALUE"
                        + " (a .env file holds KEY=VALUE lines and # comments)");
            }
            String key = line.substring(0, eq).strip();
            if (!KEY.matcher(key).matches()) {
                throw new IllegalArgumentException(where + ": '" + key + "' is not a valid key (letters, digits and _,"
                        + " not starting with a digit)");
            }
            entries.put(key, value(line.substring(eq + 1).strip(), where));
        }
        return Collections.unmodifiableMap(entries);
    }

    private static String value(String raw, String where) {
        if (raw.startsWith("'")) {
            int end = raw.indexOf('\'', 1);
            if (end < 0) {
                throw new IllegalArgumentException(where + ": the single quote is never closed");
            }
            trailing(raw.substring(end + 1), where);
            return raw.substring(1, end);
        }
        if (raw.startsWith("\"")) {
            StringBuilder value = new StringBuilder();
            for (int i = 1; i < raw.length(); i++) {
                char c = raw.charAt(i);
                if (c == '"') {
                    trailing(raw.substring(i + 1), where);
                    return value.toString();
                }
                if (c == '\\' && i + 1 < raw.length()) {
                    char next = raw.charAt(++i);
                    value.append(switch (next) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case '"', '\\' -> next;
                        default -> "\\" + next;  // unknown escapes stay as written
                    });
                } else {
                    value.append(c);
                }
            }
            throw new IllegalArgumentException(where + ": the double quote is never closed");
        }
        int comment = raw.indexOf(" #");  // an unquoted value ends at a comment
        return (comment >= 0 ? raw.substring(0, comment) : raw).strip();
    }

    private static void trailing(String rest, String where) {
        String r = rest.strip();
        if (!r.isEmpty() && !r.startsWith("#")) {
            throw new IllegalArgumentException(where + ": text after the closing quote: '" + r + "'");
        }
    }
}
