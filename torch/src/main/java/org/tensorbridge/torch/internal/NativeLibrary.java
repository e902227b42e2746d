package org.tensorbridge.torch.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
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
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds and loads the native shim. Order: the {@code tensorbridge.library} system property, the
 * {@code TENSORBRIDGE_LIBRARY} environment variable (either, when set, must name an existing file), then the
 * copy packed in this jar by the build (extracted once to a content-addressed folder under
 * {@code java.io.tmpdir}).
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
        return readBuildInfo(path);
    }

    /**
     * What the build recorded about the shim that loading would pick, without loading it (so {@code doctor} can
     * say what a shim that fails to load was built with); empty when no shim is found.
     */
    public static Properties locatedBuildInfo() {
        Path candidate = locate(new ArrayList<>());
        return candidate == null ? new Properties() : readBuildInfo(candidate);
    }

    /** The shim {@link #load} would pick, or null. */
    public static Path locateShim() {
        return locate(new ArrayList<>());
    }

    private static Properties readBuildInfo(Path path) {
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

    /**
     * Environment settings that must be in place before libtorch is loaded, because the libraries it pulls in
     * read them in their constructors. Debian 13's libtorch links Open MPI, which loads UCX; UCX's default
     * ({@code UCX_HANDLE_ERRORS=bt} on SIGILL, SIGSEGV, SIGBUS, SIGFPE) replaces the JVM's SIGSEGV handler and
     * aborts the process on the JVM's ordinary implicit null checks and safepoint polls (exit 134). Measured on
     * Debian 13 (UCX 1.18 via Open MPI): by default SIGSEGV's handler is in libucs.so.0 after libtorch loads; with
     * either setting below it stays the JVM's. Each is set only where the user has not set it: a value the user set
     * explicitly is kept (setting both to UCX's defaults brings the crash back, see JvmSignalsTest).
     */
    static final Map<String, String> PRELOAD_ENVIRONMENT = Map.of(
            "UCX_HANDLE_ERRORS", "none",
            "UCX_ERROR_SIGNALS", "");

    static NativeLibrary load() {
        List<String> tried = new ArrayList<>();
        Path candidate = locate(tried);
        if (candidate == null) {
            throw new UnsatisfiedLinkError("tensorbridge native shim not found. Tried:\n  - "
                    + String.join("\n  - ", tried)
                    + "\nFix: build it with `torch/native/build.sh` (Maven does this in the torch module) and point"
                    + " -Dtensorbridge.library at the resulting libtensorbridge.so.");
        }
        prepareEnvironment();
        return open(candidate);
    }

    /** Sets {@link #PRELOAD_ENVIRONMENT} in this process's C environment where the user has not set it. */
    static void prepareEnvironment() {
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle setenv = linker.downcallHandle(linker.defaultLookup().find("setenv").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                            ValueLayout.JAVA_INT));
            try (Arena arena = Arena.ofConfined()) {
                for (var e : PRELOAD_ENVIRONMENT.entrySet()) {
                    // overwrite = 0: an explicit user setting wins
                    int rc = (int) setenv.invokeExact(arena.allocateFrom(e.getKey()), arena.allocateFrom(e.getValue()), 0);
                    if (rc != 0) {
                        System.getLogger(NativeLibrary.class.getName()).log(System.Logger.Level.WARNING,
                                "setenv(" + e.getKey() + ") failed; if libtorch loads UCX, set " + e.getKey() + "="
                                        + e.getValue() + " in the environment");
                    }
                }
            }
        } catch (Throwable t) {
            System.getLogger(NativeLibrary.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot set UCX_HANDLE_ERRORS=none before loading libtorch (" + t + "); if the JVM aborts in UCX's"
                            + " signal handler, set UCX_HANDLE_ERRORS=none in the environment");
        }
    }

    /** Loads {@code candidate}; a failure names the library the dynamic loader could not find, and the fix. */
    static NativeLibrary open(Path candidate) {
        try {
            return new NativeLibrary(candidate, SymbolLookup.libraryLookup(candidate, Arena.global()));
        } catch (IllegalArgumentException e) {
            throw new UnsatisfiedLinkError(loadFailure(candidate, dlopenError(candidate)));
        }
    }

    /**
     * The dynamic loader's own words for why {@code library} does not load ({@code dlerror()} after a
     * {@code dlopen}), or null when it loads now or the loader cannot be asked.
     */
    static String dlopenError(Path library) {
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            MethodHandle dlopen = linker.downcallHandle(libc.find("dlopen").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            MethodHandle dlerror = linker.downcallHandle(libc.find("dlerror").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS));
            MethodHandle dlclose = linker.downcallHandle(libc.find("dlclose").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment unused = (MemorySegment) dlerror.invokeExact(); // clear an earlier error
                final int rtldNow = 2;
                MemorySegment handle = (MemorySegment) dlopen.invokeExact(arena.allocateFrom(library.toString()), rtldNow);
                if (!handle.equals(MemorySegment.NULL)) {
                    int ignored = (int) dlclose.invokeExact(handle);
                    return null;
                }
                MemorySegment message = (MemorySegment) dlerror.invokeExact();
                return message.equals(MemorySegment.NULL) ? null : message.reinterpret(4096).getString(0);
            }
        } catch (Throwable t) {
            return null;
        }
    }

    private static final Pattern MISSING = Pattern.compile("([^\\s:]+\\.so[^\\s:]*): cannot open shared object file");
    private static final Pattern UNDEFINED = Pattern.compile("undefined symbol: (\\S+)");

    /** The message for a shim that does not load: what the loader said, which library is missing, and the fix. */
    static String loadFailure(Path shim, String loaderError) {
        StringBuilder m = new StringBuilder("cannot load the tensorbridge shim " + shim);
        m.append(loaderError == null ? "" : ": " + loaderError);
        String built = "";
        Path props = shim.resolveSibling("libtensorbridge.properties");
        if (Files.isRegularFile(props)) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(props)) {
                p.load(in);
                built = " (built against " + p.getProperty("libtorch.source", "?") + ", libtorch "
                        + p.getProperty("libtorch.version", "?") + ", CUDA " + p.getProperty("cuda", "?") + ")";
            } catch (IOException ignored) {
                // the message is still useful without it
            }
        }
        Matcher missing = loaderError == null ? null : MISSING.matcher(loaderError);
        Matcher undefined = loaderError == null ? null : UNDEFINED.matcher(loaderError);
        if (missing != null && missing.find()) {
            String lib = missing.group(1);
            m.append("\nMissing library: ").append(lib).append(built).append('.');
            if (lib.matches("lib(cudart|cublas|cublasLt|cudnn.*|cusparse.*|cufft|curand|cusolver|nccl|nvrtc|nvJitLink"
                    + "|nvToolsExt|cupti|cufile|nvshmem.*|cuda)(\\..*)?")) {
                m.append("\nFix: this shim was built with CUDA and needs the CUDA runtime libraries its libtorch was built"
                        + " with: install them (the CUDA toolkit, or pip's nvidia-* wheels next to pip's torch) or add their"
                        + " folder to LD_LIBRARY_PATH; or rebuild a CPU-only shim with TB_CUDA=0 torch/native/build.sh.");
            } else {
                m.append("\nFix: install ").append(lib).append(" or add the folder that holds it to LD_LIBRARY_PATH;"
                        + " if the libtorch the shim was built against was removed or moved, rebuild the shim with"
                        + " torch/native/build.sh.");
            }
        } else if (undefined != null && undefined.find()) {
            m.append("\nUndefined symbol: ").append(undefined.group(1)).append(built)
                    .append(".\nFix: the libtorch found at run time differs from the one the shim was built against;"
                            + " rebuild the shim with torch/native/build.sh.");
        } else {
            m.append(built).append("\nFix: the libtorch it was built against must still be installed (see its"
                    + " libtensorbridge.properties); rebuild with torch/native/build.sh after changing libtorch.");
        }
        return m.toString();
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
                // Asked for explicitly: falling back to the packed shim (built for another libtorch) would hide
                // the problem behind a load failure elsewhere.
                throw new UnsatisfiedLinkError(setting[0] + " = " + setting[1] + ": no such file.\nFix: build the shim"
                        + " there with `torch/native/build.sh " + Path.of(setting[1]).getParent() + "`, or unset it to use"
                        + " the shim packed in the jar.");
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
