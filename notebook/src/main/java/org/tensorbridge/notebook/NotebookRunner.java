package org.tensorbridge.notebook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Executes a notebook headless, as CI does: {@code jupyter nbconvert --to notebook --execute} with the tensorbridge
 * kernel of the given class path. The kernelspec goes to a temporary Jupyter data directory (and the runtime and
 * config directories are temporary too), so the run neither needs nor touches the user's ~/.local/share/jupyter.
 */
public final class NotebookRunner {
    /** What Debian calls the packages nbconvert needs to execute notebooks. */
    public static final String APT_PACKAGES = "jupyter-nbconvert python3-nbclient jupyter-client";

    private NotebookRunner() {
    }

    /** The outcome: nbconvert's exit code and everything it (and the kernel, on stderr) printed. */
    public record Result(int exitCode, String log) {
    }

    /** Whether {@code jupyter nbconvert} is installed. */
    public static boolean nbconvertAvailable() {
        return onPath("jupyter-nbconvert") != null;
    }

    /** Executes {@code notebook} and writes the executed copy to {@code output}. */
    public static Result execute(Path notebook, Path output, List<Path> classPath, Duration cellTimeout)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(notebook)) {
            throw new IllegalArgumentException("no notebook at " + notebook.toAbsolutePath());
        }
        Path nbconvert = onPath("jupyter-nbconvert");
        if (nbconvert == null) {
            throw new IllegalStateException("jupyter nbconvert is not installed: apt-get install " + APT_PACKAGES
                    + " (scripts/setup.sh installs them)");
        }
        Path jupyter = Files.createTempDirectory("tensorbridge-jupyter");
        try {
            KernelSpec.install(jupyter.resolve("data"), classPath);
            Path absoluteOutput = output.toAbsolutePath();
            Files.createDirectories(absoluteOutput.getParent());
            List<String> command = new ArrayList<>(List.of(nbconvert.toString(), "--to", "notebook", "--execute",
                    "--ExecutePreprocessor.kernel_name=" + KernelSpec.NAME,
                    "--ExecutePreprocessor.timeout=" + cellTimeout.toSeconds(),
                    "--output-dir", absoluteOutput.getParent().toString(),
                    "--output", absoluteOutput.getFileName().toString(),
                    notebook.toAbsolutePath().toString()));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            Map<String, String> env = builder.environment();
            env.put("JUPYTER_PATH", jupyter.resolve("data").toString());
            env.put("JUPYTER_DATA_DIR", jupyter.resolve("data").toString());
            env.put("JUPYTER_RUNTIME_DIR", jupyter.resolve("runtime").toString());
            env.put("JUPYTER_CONFIG_DIR", jupyter.resolve("config").toString());
            Process process = builder.start();
            process.getOutputStream().close();
            String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(process.waitFor(), log);
        } finally {
            deleteTree(jupyter);
        }
    }

    /** The executable {@code name} on PATH, or null. */
    public static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
