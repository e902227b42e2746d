package org.tensorbridge.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.tensorbridge.notebook.ClassPath;
import org.tensorbridge.notebook.Imports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code tensorbridge shell}: the JDK's jshell with the library on its class path, native access in the VM that
 * runs the snippets, and the library's packages imported (on top of jshell's own default imports).
 */
@Command(name = "shell",
        description = {"JShell with tensorbridge: the library on the class path, native access granted, NDArray, "
                + "Tensor, Bridge, nn, optim, ... imported.", "Extra arguments go to jshell (e.g. a script file)."})
public final class ShellCommand implements Callable<Integer> {
    /** Options of the VM that runs the snippets: FFM calls without warnings, the fast array loops. */
    static final List<String> REMOTE_VM_OPTIONS = List.of("--enable-native-access=ALL-UNNAMED",
            "--add-modules=jdk.incubator.vector");

    @Parameters(paramLabel = "JSHELL_ARG", description = "passed to jshell")
    List<String> jshellArgs = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path startup = writeStartup();
        try {
            Process jshell = new ProcessBuilder(command(startup, ClassPath.ofRunningApplication(), jshellArgs))
                    .inheritIO().start();
            return jshell.waitFor();
        } finally {
            Files.deleteIfExists(startup);
        }
    }

    /** The library's imports as a jshell startup script (a temporary file; delete it when jshell has ended). */
    static Path writeStartup() throws IOException {
        Path startup = Files.createTempFile("tensorbridge-startup", ".jsh");
        Files.write(startup, Imports.library(), StandardCharsets.UTF_8);
        return startup;
    }

    /** The jshell command line: this JDK's jshell, {@code classPath} for the snippets, the startup script. */
    static List<String> command(Path startup, List<Path> classPath, List<String> extraArgs) {
        Path jshell = Path.of(System.getProperty("java.home"), "bin", "jshell");
        if (!Files.isExecutable(jshell)) {
            throw new IllegalStateException("no jshell at " + jshell + ": tensorbridge shell needs a full JDK 25 "
                    + "(e.g. Temurin 25 at /usr/lib/jvm/temurin-25-jdk-amd64, or set JAVA_HOME to one), not a JRE");
        }
        List<String> command = new ArrayList<>(List.of(jshell.toString(), "--class-path", ClassPath.join(classPath)));
        REMOTE_VM_OPTIONS.forEach(option -> command.add("-R" + option));
        // DEFAULT keeps jshell's own imports (java.util.* and friends); the second script adds the library's.
        command.addAll(List.of("--startup", "DEFAULT", "--startup", startup.toString()));
        command.addAll(extraArgs);
        return command;
    }
}
