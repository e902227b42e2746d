package org.tensorbridge.cli.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.tensorbridge.cli.UsageException;

/**
 * A command's settings, each from the first of: its flag, the environment ({@code TB_} + the key in upper case,
 * {@code -} as {@code _}: {@code --max-steps} is {@code TB_MAX_STEPS}), the {@code .env} file, the default. The
 * environment is passed in (tests give a map instead of changing the process's). Every value asked for is
 * remembered with its source, for {@link #describe()}.
 */
public final class Settings {
    private final Map<String, String> environment;
    private final Map<String, String> dotEnv;
    private final String dotEnvName;
    private final Map<String, Setting> resolved = new LinkedHashMap<>();

    public Settings(Map<String, String> environment, Map<String, String> dotEnv, String dotEnvName) {
        this.environment = Map.copyOf(environment);
        this.dotEnv = Map.copyOf(dotEnv);
        this.dotEnvName = dotEnvName;
    }

    /**
     * Settings over {@code environment} and a .env file: {@code envFile} when given (it must exist), else
     * {@code workingDirectory/.env} when there is one.
     */
    public static Settings load(Map<String, String> environment, Path workingDirectory, Path envFile) throws IOException {
        Path file = envFile;
        if (file == null) {
            Path local = workingDirectory.resolve(".env");
            file = Files.isRegularFile(local) ? local : null;
        } else if (!Files.isRegularFile(file)) {
            throw new UsageException("--env-file " + file + ": no such file");
        }
        return file == null ? new Settings(environment, Map.of(), ".env")
                : new Settings(environment, DotEnv.read(file), file.toString());
    }

    /** The environment variable (and .env key) of a setting. */
    public static String variable(String key) {
        return "TB_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** The setting's text: the flag's value when given, else TB_KEY, else .env's TB_KEY, else {@code fallback}. */
    public Setting resolve(String key, Object flag, Object fallback) {
        String variable = variable(key);
        Setting setting;
        if (flag != null) {
            setting = new Setting(key, flag.toString(), "--" + key);
        } else if (environment.get(variable) != null && !environment.get(variable).isEmpty()) {
            setting = new Setting(key, environment.get(variable), "environment " + variable);
        } else if (dotEnv.get(variable) != null) {
            setting = new Setting(key, dotEnv.get(variable), dotEnvName + " " + variable);
        } else {
            setting = new Setting(key, fallback == null ? null : fallback.toString(), "default");
        }
        resolved.put(key, setting);
        return setting;
    }

    public String text(String key, Object flag, String fallback) {
        return resolve(key, flag, fallback).value();
    }

    public int integer(String key, Integer flag, int fallback, int min) {
        int value = parse(resolve(key, flag, fallback), "a whole number", Integer::parseInt);
        return atLeast(key, value, min);
    }

    public long longValue(String key, Long flag, long fallback, long min) {
        long value = parse(resolve(key, flag, fallback), "a whole number", Long::parseLong);
        if (value < min) {
            throw new UsageException(describe(resolved.get(key)) + ": must be at least " + min);
        }
        return value;
    }

    public double number(String key, Double flag, double fallback) {
        double value = parse(resolve(key, flag, fallback), "a number", Double::parseDouble);
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new UsageException(describe(resolved.get(key)) + ": must be a positive number");
        }
        return value;
    }

    public Path path(String key, Path flag, Path fallback) {
        String text = resolve(key, flag, fallback).value();
        return text == null ? null : Path.of(text);
    }

    private int atLeast(String key, int value, int min) {
        if (value < min) {
            throw new UsageException(describe(resolved.get(key)) + ": must be at least " + min);
        }
        return value;
    }

    private static <T> T parse(Setting setting, String what, Function<String, T> parser) {
        try {
            return parser.apply(setting.value().strip());
        } catch (NumberFormatException e) {
            throw new UsageException(describe(setting) + ": needs " + what + ", not '" + setting.value() + "'");
        }
    }

    private static String describe(Setting s) {
        return s.source().startsWith("--") ? s.source() + " " + s.value() : s.key() + " = " + s.value() + " (from " + s.source() + ")";
    }

    /** Every setting asked for so far, in order. */
    public List<Setting> effective() {
        return new ArrayList<>(resolved.values());
    }

    /** The effective configuration, one {@code key = value (source)} line each, for the start of a run. */
    public String describe() {
        StringBuilder text = new StringBuilder("configuration:\n");
        int width = resolved.keySet().stream().mapToInt(String::length).max().orElse(0);
        for (Setting s : resolved.values()) {
            text.append(String.format(Locale.ROOT, "  %-" + width + "s = %s  (%s)%n", s.key(), s.value(), s.source()));
        }
        return text.toString();
    }
}
