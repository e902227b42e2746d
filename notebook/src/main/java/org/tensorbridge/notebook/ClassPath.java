package org.tensorbridge.notebook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/** The class path of this JVM as files: what the kernel's JShell and the shell give to user code. */
public final class ClassPath {
    private ClassPath() {
    }

    /**
     * {@code java.class.path} with each jar's manifest {@code Class-Path} followed, as the JVM does: a launcher
     * started with {@code -jar tensorbridge-cli.jar} sees only that jar in the property, its libraries are in
     * {@code lib/} through the manifest.
     */
    public static List<Path> ofRunningApplication() {
        Set<Path> entries = new LinkedHashSet<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!entry.isBlank()) {
                add(Path.of(entry).toAbsolutePath().normalize(), entries);
            }
        }
        return new ArrayList<>(entries);
    }

    /** Entries joined with the platform's separator, for {@code -cp}. */
    public static String join(List<Path> entries) {
        return String.join(java.io.File.pathSeparator, entries.stream().map(Path::toString).toList());
    }

    private static void add(Path entry, Set<Path> entries) {
        if (!Files.exists(entry) || !entries.add(entry) || !entry.toString().endsWith(".jar")) {
            return;
        }
        try (JarFile jar = new JarFile(entry.toFile())) {
            Manifest manifest = jar.getManifest();
            String classPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
            if (classPath != null) {
                for (String relative : classPath.trim().split("\\s+")) {
                    if (!relative.isEmpty()) {
                        add(entry.getParent().resolve(relative).toAbsolutePath().normalize(), entries);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the jar " + entry + " on the class path", e);
        }
    }
}
