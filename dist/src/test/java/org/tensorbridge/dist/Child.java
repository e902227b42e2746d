package org.tensorbridge.dist;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A child JVM (or Python) running one rank; its output goes to a file; close() kills it if still running. */
final class Child implements AutoCloseable {
    final Process process;
    final Path log;

    private Child(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static Child java(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                DistWorker.class.getName()));
        command.addAll(List.of(args));
        return start(dir, command);
    }

    static Child start(Path dir, List<String> command) throws IOException {
        Path log = Files.createTempFile(dir, "rank", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Child(p, log);
    }

    /** Waits at most {@code seconds} for the exit and returns its code; fails with the output on a timeout. */
    int exit(long seconds) throws Exception {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child did not exit within " + seconds + " s; output:\n" + output());
        }
        return process.exitValue();
    }

    String output() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** Waits until the child printed {@code line} (bounded). */
    void awaitLine(String line, long seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            if (output().lines().anyMatch(line::equals)) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("child exited (" + process.exitValue() + ") before printing " + line + ":\n"
                        + output());
            }
            Thread.sleep(20);
        }
        throw new AssertionError("child did not print " + line + " within " + seconds + " s:\n" + output());
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
