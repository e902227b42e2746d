package org.tensorbridge.testkit;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Makes a file impossible to open for writing, for this process too: read-only permissions, and where the tests
 * run as root (which ignores permissions) the immutable attribute ({@code chattr +i}). {@link #close} undoes it.
 * Proven, not assumed: the constructor checks that opening for writing now fails.
 */
public final class Unwritable implements AutoCloseable {
    private final Path path;
    private boolean immutable;

    public Unwritable(Path path) throws Exception {
        this.path = path;
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("r--r--r--"));
        if (openableForWriting(path)) {
            immutable = run("chattr", "+i", path.toString());
        }
        Assumptions.assumeFalse(openableForWriting(path), "cannot make " + path + " unwritable for this process"
                + " (running as root without chattr/CAP_LINUX_IMMUTABLE)");
    }

    public static boolean openableForWriting(Path p) {
        try (FileChannel ignored = FileChannel.open(p, StandardOpenOption.WRITE)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean run(String... command) throws Exception {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws Exception {
        if (immutable) {
            run("chattr", "-i", path.toString());
        }
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));
    }
}
