package org.tensorbridge.torch.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

/**
 * Finds and loads the native shim. Order: the {@code tensorbridge.library} system property, the
 * {@code TENSORBRIDGE_LIBRARY} environment variable, then the copy packed in this jar by the build
 * (extracted once to a content-addressed folder under {@code java.io.tmpdir}).
 */
public final class NativeLibrary {
    static final String RESOURCE_DIR = "/org/tensorbridge/torch/native/";
    static final String LIBRARY_FILE = "libtensorbridge.so";

    private final Path path;
    private final SymbolLookup symbols;

    private NativeLibrary(Path path, SymbolLookup symbols) {
        this.path = path;
        this.symbols = symbols;
    }

    public Path path() {
        return path;
    }

    SymbolLookup symbols() {
        return symbols;
    }

    /** What the build recorded about the libtorch it compiled against (empty when not packed). */
    public Properties buildInfo() {
        Properties info = new Properties();
        Path beside = path.resolveSibling("libtensorbridge.properties");
        try (InputStream in = Files.exists(beside) ? Files.newInputStream(beside)
                : NativeLibrary.class.getResourceAsStream(RESOURCE_DIR + "libtensorbridge.properties")) {
            if (in != null) {
                info.load(in);
            }
        } catch (IOException e) {
            info.setProperty("error", e.toString());
        }
        return info;
    }

    static NativeLibrary load() {
        List<String> tried = new ArrayList<>();
        Path candidate = locate(tried);
        if (candidate == null) {
            throw new UnsatisfiedLinkError("tensorbridge native shim not found. Tried:\n  - "
                    + String.join("\n  - ", tried)
                    + "\nFix: build it with `torch/native/build.sh` (Maven does this in the torch module) and point"
                    + " -Dtensorbridge.library at the resulting libtensorbridge.so.");
        }
        try {
            return new NativeLibrary(candidate, SymbolLookup.libraryLookup(candidate, Arena.global()));
        } catch (IllegalArgumentException e) {
            throw new UnsatisfiedLinkError("cannot load " + candidate + ": " + e.getMessage()
                    + "\nFix: the libtorch it was built against must still be installed (see its"
                    + " libtensorbridge.properties); rebuild with torch/native/build.sh after changing libtorch.");
        }
    }

    private static Path locate(List<String> tried) {
        for (String[] setting : new String[][] {
                {"system property tensorbridge.library", System.getProperty("tensorbridge.library")},
                {"environment TENSORBRIDGE_LIBRARY", System.getenv("TENSORBRIDGE_LIBRARY")}}) {
            if (setting[1] == null || setting[1].isBlank()) {
                tried.add(setting[0] + ": not set");
            } else if (Files.isRegularFile(Path.of(setting[1]))) {
                return Path.of(setting[1]);
            } else {
                tried.add(setting[0] + " = " + setting[1] + ": no such file");
            }
        }
        URL packed = NativeLibrary.class.getResource(RESOURCE_DIR + LIBRARY_FILE);
        if (packed == null) {
            tried.add("classpath resource " + RESOURCE_DIR + LIBRARY_FILE + ": absent (the build did not pack a shim)");
            return null;
        }
        try {
            if ("file".equals(packed.getProtocol())) {
                return Path.of(packed.toURI());
            }
            return extract(packed);
        } catch (IOException | URISyntaxException e) {
            tried.add("classpath resource " + packed + ": " + e);
            return null;
        }
    }

    // Extracts into a folder named by the content hash, so concurrent JVMs and rebuilt jars never clash.
    private static Path extract(URL packed) throws IOException {
        byte[] library;
        try (InputStream in = packed.openStream()) {
            library = in.readAllBytes();
        }
        String hash;
        try {
            hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(library)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "tensorbridge-" + hash);
        Path target = dir.resolve(LIBRARY_FILE);
        if (Files.isRegularFile(target) && Files.size(target) == library.length) {
            return target;
        }
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, "lib", ".tmp");
        Files.write(temp, library);
        try (InputStream props = NativeLibrary.class.getResourceAsStream(RESOURCE_DIR + "libtensorbridge.properties")) {
            if (props != null) {
                Files.copy(props, dir.resolve("libtensorbridge.properties"), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }
}
