package org.tensorbridge.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real Python interpreter for cross-checks: fixtures are generated and our outputs verified by
 * NumPy / PyTorch at test time, never typed in by hand.
 *
 * <p>{@link #debian()} is Debian's {@code /usr/bin/python3} with python3-numpy and python3-torch (NumPy 1.x and
 * torch 1.13 on Debian 12, NumPy 2.x and torch 2.x on Debian 13); {@link #numpy2()} is an interpreter with NumPy 2.x;
 * {@link #torch(String)} is the interpreter whose torch matches the libtorch under test (the PyTorch oracle).
 */
public final class Python {
    private static final long TIMEOUT_SECONDS = 300;
    private final String executable;

    private Python(String executable) {
        this.executable = executable;
    }

    /** Debian's interpreter with python3-numpy and python3-torch installed by apt. */
    public static Python debian() {
        return new Python("/usr/bin/python3");
    }

    /**
     * The interpreters looked at, in order, for a PyTorch oracle: {@code $TB_TORCH_PYTHON} (CI legs that test
     * another libtorch point it at a venv holding the matching torch wheel), {@code $PYTHON} (also what
     * torch/native/build.sh builds against), Debian's {@code /usr/bin/python3}, {@code python3} on PATH and
     * pyenv's.
     */
    static List<String> torchCandidates() {
        List<String> candidates = new ArrayList<>();
        for (String env : List.of("TB_TORCH_PYTHON", "PYTHON")) {
            String value = System.getenv(env);
            if (value != null && !value.isBlank() && !candidates.contains(value)) {
                candidates.add(value);
            }
        }
        String home = System.getenv().getOrDefault("PYENV_ROOT", System.getProperty("user.home") + "/.pyenv");
        for (String c : List.of("/usr/bin/python3", "python3", home + "/shims/python3")) {
            if (!candidates.contains(c)) {
                candidates.add(c);
            }
        }
        return candidates;
    }

    private static final java.util.Map<String, String> TORCH_VERSIONS = new java.util.concurrent.ConcurrentHashMap<>();

    /** The torch version an interpreter imports ("2.13.0+cpu"), or a line starting with "none: " saying why not. */
    static String torchVersionOf(String executable) {
        return TORCH_VERSIONS.computeIfAbsent(executable, exe -> {
            try {
                // From / so that a torch/ folder in the working directory cannot pass for the torch package.
                Process process = new ProcessBuilder(exe, "-c", "import torch; print(torch.__version__)")
                        .directory(new java.io.File("/")).redirectErrorStream(true).start();
                String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (!process.waitFor(120, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    return "none: import torch timed out";
                }
                if (process.exitValue() != 0) {
                    String[] lines = out.split("\n");
                    return "none: " + lines[lines.length - 1];
                }
                String[] lines = out.split("\n");
                return lines[lines.length - 1].trim();
            } catch (IOException e) {
                return "none: " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "none: interrupted";
            }
        });
    }

    /** "2.13.0+cpu", "2.6.0a0+git1eba9b3", "1.13.1" -> "2.13.0", "2.6.0", "1.13.1" (null when unparseable). */
    public static String releaseOf(String version) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+\\.\\d+\\.\\d+)").matcher(version.trim());
        return m.find() ? m.group(1) : null;
    }

    /**
     * An interpreter whose PyTorch is the same release as the libtorch under test ({@code libtorchVersion}, e.g.
     * {@code Torch.version()}), so that an oracle's answer is the answer of the library being tested. Empty when
     * none is found: use {@link #noTorchReason} to skip with the reason.
     */
    public static java.util.Optional<Python> torch(String libtorchVersion) {
        String wanted = releaseOf(libtorchVersion);
        for (String candidate : torchCandidates()) {
            String found = torchVersionOf(candidate);
            if (wanted != null && !found.startsWith("none: ") && wanted.equals(releaseOf(found))) {
                return java.util.Optional.of(new Python(candidate));
            }
        }
        return java.util.Optional.empty();
    }

    /** Why {@link #torch} found no interpreter for {@code libtorchVersion}, and how to provide one. */
    public static String noTorchReason(String libtorchVersion) {
        StringBuilder why = new StringBuilder("no Python with torch " + releaseOf(libtorchVersion)
                + " (the libtorch under test) to act as the oracle; tried:");
        for (String candidate : torchCandidates()) {
            String found = torchVersionOf(candidate);
            why.append(' ').append(candidate).append(" (").append(found.startsWith("none: ") ? found.substring(6)
                    : "torch " + found).append(");");
        }
        return why.append(" fix: set TB_TORCH_PYTHON to an interpreter with the matching torch (e.g. a venv with")
                .append(" the same pip wheel)").toString();
    }

    /** Like {@link #torch} but fails, with the reason, when there is none (for code that cannot skip). */
    public static Python torchOrFail(String libtorchVersion) {
        return torch(libtorchVersion).orElseThrow(() -> new AssertionError(noTorchReason(libtorchVersion)));
    }

    /**
     * An interpreter with NumPy 2.x (no torch): {@code python3} on PATH when its NumPy is 2.x (pyenv's on these
     * machines), else pyenv's default interpreter by its absolute path — so the NumPy 2 checks do not quietly
     * run against Debian's NumPy 1.x when PATH lacks pyenv's shims.
     */
    public static Python numpy2() {
        return NUMPY2;
    }

    private static final Python NUMPY2 = findNumpy2();

    private static Python findNumpy2() {
        String home = System.getenv().getOrDefault("PYENV_ROOT", System.getProperty("user.home") + "/.pyenv");
        for (String candidate : List.of("python3", home + "/shims/python3")) {
            if (numpyMajor(candidate) >= 2) {
                return new Python(candidate);
            }
        }
        throw new AssertionError("no python3 with NumPy 2.x found (tried python3 on PATH and " + home
                + "/shims/python3): the NumPy 2 cross-checks need one (e.g. pyenv's python with `pip install numpy`)");
    }

    private static int numpyMajor(String executable) {
        try {
            Process process = new ProcessBuilder(executable, "-c", "import numpy; print(numpy.__version__.split('.')[0])")
                    .redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0 ? Integer.parseInt(out) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    public String executable() {
        return executable;
    }

    /**
     * Runs {@code script} with {@code args} (available as {@code sys.argv[1:]}) and returns its standard
     * output. A non-zero exit, or a run over five minutes, fails with the script's standard error.
     */
    public String run(String script, String... args) {
        try {
            Path file = Files.createTempFile("tb-check", ".py");
            try {
                Files.writeString(file, script);
                List<String> command = new ArrayList<>(List.of(executable, file.toString()));
                command.addAll(List.of(args));
                Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
                // Drain stderr concurrently so a chatty script cannot block on a full pipe.
                var stderr = new java.util.concurrent.CompletableFuture<String>();
                Thread.ofVirtual().start(() -> {
                    try {
                        stderr.complete(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        stderr.complete("<stderr unreadable: " + e + ">");
                    }
                });
                String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError(executable + " timed out after " + TIMEOUT_SECONDS + " s");
                }
                if (process.exitValue() != 0) {
                    throw new AssertionError(executable + " failed (exit " + process.exitValue() + "):\n"
                            + stderr.join() + "\nscript:\n" + script);
                }
                return stdout;
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + executable + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + executable, e);
        }
    }

    /** Parses whitespace-separated numbers (Python's repr of floats, ints, inf and nan) from stdout. */
    public static double[] parseDoubles(String stdout) {
        String trimmed = stdout.trim();
        if (trimmed.isEmpty()) {
            return new double[0];
        }
        String[] parts = trimmed.split("\\s+");
        double[] values = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = switch (parts[i]) {
                case "nan" -> Double.NaN;
                case "inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                case "True" -> 1;
                case "False" -> 0;
                default -> Double.parseDouble(parts[i]);
            };
        }
        return values;
    }
}
