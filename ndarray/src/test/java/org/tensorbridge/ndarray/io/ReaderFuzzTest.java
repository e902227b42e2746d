package org.tensorbridge.ndarray.io;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.tensorbridge.ndarray.NDArray;

/**
 * Coverage-guided fuzzing of every file reader with Jazzer: each input goes through every reader (.npy read,
 * header, mmap r/c; .npz read, open+get in r/c; safetensors read, open+get in r/c), and every array that comes
 * back is read in full. Every input must be parsed or refused with {@link ArrayFileFormatException}; any other
 * exception, an error (OOM, StackOverflow) or a hang is a finding.
 *
 * <p>Under plain {@code mvn test} (regression mode) this replays the committed seed and finding inputs in
 * {@code src/test/resources/.../ReaderFuzzTestInputs/anyReader}. {@code ndarray/fuzz/fuzz.sh} runs a bounded
 * coverage-guided campaign ({@code JAZZER_FUZZ=1}) and prints its figures; seeds come from
 * {@code ndarray/fuzz/make_seeds.py} (real NumPy).
 */
class ReaderFuzzTest {
    @FunctionalInterface
    interface Reader {
        Map<String, NDArray> read(Path p) throws IOException;
    }

    /** Readers by format ("NpyFile", "NpzFile", "SafeTensorsFile"): within a format all must agree. */
    static final Map<String, Reader> READERS = new LinkedHashMap<>();

    static {
        READERS.put("NpyFile.read", p -> Map.of("array", NpyFile.read(p)));
        READERS.put("NpyFile.readHeader", p -> {
            NpyFile.readHeader(p);
            return null; // accepted, no arrays
        });
        READERS.put("NpyFile.mmap(r)", p -> Map.of("array", NpyFile.mmap(p, MmapMode.READ_ONLY)));
        READERS.put("NpyFile.mmap(c)", p -> Map.of("array", NpyFile.mmap(p, MmapMode.COPY_ON_WRITE)));
        READERS.put("NpzFile.read", NpzFile::read);
        READERS.put("NpzFile.open(r)+get", p -> getAll(NpzFile.open(p, MmapMode.READ_ONLY)));
        READERS.put("NpzFile.open(c)+get", p -> getAll(NpzFile.open(p, MmapMode.COPY_ON_WRITE)));
        READERS.put("SafeTensorsFile.read", SafeTensorsFile::read);
        READERS.put("SafeTensorsFile.open(r)+get", p -> getAll(SafeTensorsFile.open(p, MmapMode.READ_ONLY)));
        READERS.put("SafeTensorsFile.open(c)+get", p -> getAll(SafeTensorsFile.open(p, MmapMode.COPY_ON_WRITE)));
    }

    private static Map<String, NDArray> getAll(ArrayArchive archive) throws IOException {
        try (archive) {
            return archive.readAll();
        }
    }

    // Figures, printed at exit by fuzz.sh's run.
    static final AtomicLong INPUTS = new AtomicLong();
    static final AtomicLong PARSED = new AtomicLong();
    static final AtomicLong REFUSED = new AtomicLong();
    static final AtomicLong OTHER = new AtomicLong();
    static final Set<String> REFUSAL_SITES = ConcurrentHashMap.newKeySet();
    static final Set<String> REFUSAL_MESSAGES = ConcurrentHashMap.newKeySet();
    private static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("tb-fuzz-");
            DIR.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void figures() {
        System.err.printf("FUZZ-FIGURES inputs=%d reader-calls=%d parsed=%d refused=%d distinct-refusal-sites=%d"
                + " distinct-refusal-messages=%d other-exceptions=%d (each fails the run)%n", INPUTS.get(),
                PARSED.get() + REFUSED.get(), PARSED.get(), REFUSED.get(), REFUSAL_SITES.size(),
                REFUSAL_MESSAGES.size(), OTHER.get());
    }

    /** Raw bytes, mutated from the seed corpus (NumPy-made files of every format). */
    @DictionaryEntries({"NUMPY", "{'descr': ", "'fortran_order': ", "'shape': ", "True", "False", "'<f4'", "'>i8'",
            "'|b1'", "(1,)", "()", "PK\u0003\u0004", "PK\u0001\u0002", "PK\u0005\u0006", "PK\u0006\u0006",
            "PK\u0006\u0007", ".npy", "{\"", "\"dtype\":", "\"shape\":", "\"data_offsets\":",
            "\"__metadata__\":", "\"F32\"", "\"BF16\"", "\"F8_E4M3\"", "4294967296", "9223372036854775807"})
    @FuzzTest(maxDuration = "30s")
    void anyReader(byte[] data) throws Exception {
        onWorker(() -> fuzzOne(data));
    }

    /**
     * Files built from parts: a .npy header (as such, or as a stored or deflated .npz member) or a safetensors
     * header, with dtypes, orders and shapes drawn from valid and edge values (0, 2^31, 2^32, 2^62, Long.MAX_VALUE,
     * negative) and data shorter or longer than declared, so that lying sizes are reached on every path.
     */
    @FuzzTest(maxDuration = "15s")
    void builtFromParts(FuzzedDataProvider d) throws Exception {
        byte[] file = StructuredInputs.build(d);
        onWorker(() -> fuzzOne(file));
    }

    @FunctionalInterface
    interface Task {
        void run() throws IOException;
    }

    private static void onWorker(Task task) throws Exception {
        // A JUnit @Timeout would bound the whole campaign, not one input: run each input on a worker instead.
        Future<?> f = WORKER.submit(() -> {
            task.run();
            return null;
        });
        try {
            f.get(HANG_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            AssertionError hang = new AssertionError("an input took over " + HANG_SECONDS + " s: a hang");
            hang.setStackTrace(workerThread.getStackTrace());
            throw hang;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw (Error) e.getCause();
        }
    }

    private static final int HANG_SECONDS = 10;
    private static volatile Thread workerThread;
    private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fuzz-reader");
        t.setDaemon(true);
        workerThread = t;
        return t;
    });

    private static void fuzzOne(byte[] data) throws IOException {
        INPUTS.incrementAndGet();
        // A fresh file each time: rewriting one file in place costs ~9 ms, as truncating it must visit every
        // mapping of it that the GC has not yet released.
        Path file = DIR.resolve("input");
        Files.write(file, data);
        try {
            readAll(file);
        } catch (IOException | RuntimeException | Error e) {
            if (!(e instanceof ArrayFileFormatException)) {
                OTHER.incrementAndGet(); // a finding: Jazzer reports it and the run fails
            }
            throw e;
        } finally {
            Files.delete(file);
        }
    }

    /**
     * Runs every reader; each array that comes back is read in full (its copy must stay inside the file). The
     * readers of one format are a differential oracle: copying, mapping read-only and mapping copy-on-write must
     * all accept or all refuse an input, and return the same names, dtypes, shapes and bytes.
     */
    private static void readAll(Path file) throws IOException {
        Map<String, String> verdicts = new LinkedHashMap<>();   // reader -> "refused" / "accepted"
        Map<String, String> contents = new LinkedHashMap<>();   // reader -> what it returned
        for (Map.Entry<String, Reader> r : READERS.entrySet()) {
            Map<String, NDArray> arrays;
            try {
                arrays = r.getValue().read(file);
            } catch (ArrayFileFormatException e) {
                REFUSED.incrementAndGet();
                record(e, file);
                verdicts.put(r.getKey(), "refused: " + e.getMessage());
                continue;
            }
            PARSED.incrementAndGet();
            verdicts.put(r.getKey(), "accepted");
            if (arrays != null) {
                StringBuilder sb = new StringBuilder();
                for (Map.Entry<String, NDArray> a : arrays.entrySet()) {
                    try (NDArray array = a.getValue()) {
                        byte[] bytes = IoFixtures.cBytes(array); // reads every element
                        sb.append(a.getKey()).append(": ").append(array.dtype()).append(' ')
                                .append(java.util.Arrays.toString(array.shape())).append(" crc ")
                                .append(Long.toHexString(crc(bytes))).append("; ");
                    }
                }
                contents.put(r.getKey(), sb.toString());
            }
        }
        for (String format : List.of("NpyFile.", "NpzFile.", "SafeTensorsFile.")) {
            agree(format, verdicts, v -> v.startsWith("accepted") ? "accepted" : "refused");
            agree(format, contents, v -> v);
        }
    }

    private static long crc(byte[] bytes) {
        java.util.zip.CRC32 c = new java.util.zip.CRC32();
        c.update(bytes);
        return c.getValue();
    }

    private static void agree(String format, Map<String, String> results, java.util.function.UnaryOperator<String> key) {
        Set<String> distinct = new java.util.HashSet<>();
        results.forEach((reader, v) -> {
            if (reader.startsWith(format)) {
                distinct.add(key.apply(v));
            }
        });
        if (distinct.size() > 1) {
            StringBuilder sb = new StringBuilder("the " + format + "* readers disagree on one input:");
            results.forEach((reader, v) -> {
                if (reader.startsWith(format)) {
                    sb.append("\n  ").append(reader).append(" -> ").append(v);
                }
            });
            throw new AssertionError(sb.toString());
        }
    }

    /** Where the refusal was thrown (first frame outside the exception's factories) and its message's template. */
    private static void record(ArrayFileFormatException e, Path file) {
        for (StackTraceElement f : e.getStackTrace()) {
            if (!f.getClassName().equals(ArrayFileFormatException.class.getName())) {
                REFUSAL_SITES.add(f.getClassName() + ":" + f.getLineNumber());
                break;
            }
        }
        String m = String.valueOf(e.getMessage()).replace(file.toString(), "FILE");
        REFUSAL_MESSAGES.add(m.replaceAll("'[^']*'|\"[^\"]*\"", "S").replaceAll("[0-9a-fA-FxX]*[0-9][0-9a-fA-F]*", "N"));
    }
}
