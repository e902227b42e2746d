package org.tensorbridge.notebook;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernelspec Jupyter finds the kernel by: {@code <data dir>/kernels/tensorbridge/kernel.json}, whose argv
 * starts this JVM's {@code java} on the given class path with {@link Kernel} and the connection file.
 */
public final class KernelSpec {
    /** The kernel's name (nbconvert's {@code --ExecutePreprocessor.kernel_name}, a notebook's kernelspec name). */
    public static final String NAME = "tensorbridge";

    private KernelSpec() {
    }

    /** Jupyter's user data directory: {@code $JUPYTER_DATA_DIR}, else {@code $XDG_DATA_HOME/jupyter}, else ~/.local/share/jupyter. */
    public static Path userDataDir() {
        String explicit = System.getenv("JUPYTER_DATA_DIR");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("jupyter");
    }

    /** Writes the kernelspec under {@code dataDir} (replacing an earlier one) and returns its directory. */
    public static Path install(Path dataDir, List<Path> classPath) throws IOException {
        Path dir = dataDir.resolve("kernels").resolve(NAME);
        Files.createDirectories(dir);
        Path json = dir.resolve("kernel.json");
        Files.writeString(json, new GsonBuilder().setPrettyPrinting().create().toJson(kernelJson(classPath)) + "\n",
                StandardCharsets.UTF_8);
        return dir;
    }

    static JsonObject kernelJson(List<Path> classPath) {
        JsonArray argv = new JsonArray();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The kernel's log (refused messages, failures) as one line per record, like the CLI's.
        argv.add("-Djava.util.logging.SimpleFormatter.format=%4$s: %5$s%6$s%n");
        argv.add("-cp");
        argv.add(ClassPath.join(classPath));
        argv.add(Kernel.class.getName());
        argv.add("{connection_file}");
        JsonObject spec = new JsonObject();
        spec.add("argv", argv);
        spec.addProperty("display_name", "Java (tensorbridge)");
        spec.addProperty("language", "java");
        // Interrupts arrive as interrupt_request messages on the control channel, not as SIGINT.
        spec.addProperty("interrupt_mode", "message");
        spec.add("metadata", new JsonObject());
        return spec;
    }
}
