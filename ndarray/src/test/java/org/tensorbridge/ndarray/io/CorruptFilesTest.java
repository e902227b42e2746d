package org.tensorbridge.ndarray.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.testkit.Python;

/**
 * Every corrupt file goes through every reader and must give an {@link ArrayFileFormatException}: never another
 * exception, an error (OOM, StackOverflow), a hang or a crash. Mutated valid files must either load or give an
 * {@link ArrayFileFormatException}.
 */
class CorruptFilesTest {

    @FunctionalInterface
    interface Reader {
        void read(Path p) throws Exception;
    }

    static final Map<String, Reader> READERS = new LinkedHashMap<>();

    /**
     * Corpus files NumPy loads although we refuse them, each a deliberate difference: dtypes this library does not
     * hold (structured, unicode, float128 '<f16'); zip records Python's zipfile does not check (it trusts the local
     * header's sizes and the stream's end over the central directory, ignores the entry count, and reads past a
     * name length that overruns the directory); a member that is not an .npy (NumPy hands out its raw bytes).
     */
    /**
     * The corpus files NumPy may accept although we refuse them (deliberate differences: we check what NumPy
     * trusts). Which of them a NumPy accepts depends on its release and on Python's zipfile: NumPy 2.2 reads the
     * shape (2, -3) of npy-negative-dim as (2, 3) where 2.4 refuses it; Python 3.11's zipfile reads the two npz
     * files with impossible sizes that 3.13's refuses.
     */
    static final Set<String> NUMPY_MAY_ACCEPT = Set.of("npy-structured", "npy-unicode-descr", "npy-unknown-descr",
            "npy-negative-dim", "npz-deflated-declares-huge", "npz-deflated-declares-more", "npz-entry-count-lies",
            "npz-entry-count-zero", "npz-name-length-huge", "npz-not-npy-member", "npz-stored-size-too-large",
            "npz-zip64-size-without-extra");

    static {
        READERS.put("NpyFile.read", p -> NpyFile.read(p).close());
        READERS.put("NpyFile.readHeader", NpyFile::readHeader);
        READERS.put("NpyFile.mmap(r)", p -> NpyFile.mmap(p, MmapMode.READ_ONLY).close());
        READERS.put("NpyFile.mmap(c)", p -> NpyFile.mmap(p, MmapMode.COPY_ON_WRITE).close());
        READERS.put("NpzFile.read", p -> NpzFile.read(p).values().forEach(NDArray::close));
        READERS.put("NpzFile.open+get", p -> {
            try (NpzArchive z = NpzFile.open(p)) {
                for (String n : z.names()) {
                    z.get(n).close();
                }
            }
        });
        READERS.put("SafeTensorsFile.read", p -> SafeTensorsFile.read(p).values().forEach(NDArray::close));
        READERS.put("SafeTensorsFile.open+get", p -> {
            try (SafeTensors st = SafeTensorsFile.open(p)) {
                for (String n : st.names()) {
                    st.get(n).close();
                }
            }
        });
    }

    /** Runs {@code reader}; returns null on success, the exception if it was an ArrayFileFormatException. */
    static ArrayFileFormatException attempt(String label, Reader reader, Path p) {
        try {
            Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), () -> reader.read(p), label + " hung");
            return null;
        } catch (Throwable t) {
            if (t instanceof ArrayFileFormatException e) {
                return e;
            }
            AssertionError err = new AssertionError(label + " threw " + t + " instead of ArrayFileFormatException", t);
            throw err;
        }
    }

    @Test
    void everyCorpusFileIsRefusedByEveryReader(@TempDir Path dir) throws Exception {
        Map<String, byte[]> corpus = CorruptCorpus.build(dir);
        assertTrue(corpus.size() > 80, "corpus has " + corpus.size() + " files");
        List<String> problems = new ArrayList<>();
        for (var e : corpus.entrySet()) {
            Path p = dir.resolve(e.getKey());
            Files.write(p, e.getValue());
            for (var r : READERS.entrySet()) {
                String label = e.getKey() + " via " + r.getKey();
                try {
                    ArrayFileFormatException ex = attempt(label, r.getValue(), p);
                    if (ex == null) {
                        problems.add(label + ": accepted");
                    } else if (ex.getMessage() == null || !ex.getMessage().contains(p.toString())) {
                        problems.add(label + ": message does not name the file: " + ex.getMessage());
                    }
                } catch (AssertionError err) {
                    problems.add(err.getMessage());
                }
            }
        }
        if (!problems.isEmpty()) {
            fail(problems.size() + " problems:\n" + String.join("\n", problems));
        }
    }

    /** The .npy and .npz files of the corpus, which NumPy itself must refuse too (not typed-in expectations). */
    @Test
    void numpyRefusesTheNpyAndNpzCorpusToo(@TempDir Path dir) throws Exception {
        Map<String, byte[]> corpus = CorruptCorpus.build(dir);
        Path files = Files.createDirectory(dir.resolve("corpus"));
        for (var e : corpus.entrySet()) {
            if (e.getKey().startsWith("npy-") || e.getKey().startsWith("npz-")) {
                Files.write(files.resolve(e.getKey()), e.getValue());
            }
        }
        String accepted = Python.numpy2().run("""
                import sys, os, numpy as np
                ok = []
                for name in sorted(os.listdir(sys.argv[1])):
                    try:
                        with open(os.path.join(sys.argv[1], name), 'rb') as f:
                            r = np.load(f, allow_pickle=False)
                            if hasattr(r, 'files'):
                                [r[k] for k in r.files]
                        ok.append(name)
                    except Exception:
                        pass
                print(' '.join(ok))
                """, files.toString()).trim();
        Set<String> unexpected = new TreeSet<>(List.of(accepted.split(" ")));
        unexpected.remove("");
        unexpected.removeAll(NUMPY_MAY_ACCEPT);
        assertEquals(Set.of(), unexpected, "corpus files this NumPy accepts (we refuse them all) beyond the known"
                + " differences; NumPy accepted: " + accepted);
    }

    @Test
    void mutatedValidFilesLoadOrFailCleanly(@TempDir Path dir) throws Exception {
        Map<String, byte[]> valid = new LinkedHashMap<>();
        valid.put("npy", CorruptCorpus.validNpy(dir));
        valid.put("npz-stored", CorruptCorpus.validNpz(dir, false));
        valid.put("npz-deflated", CorruptCorpus.validNpz(dir, true));
        valid.put("safetensors", CorruptCorpus.validSafetensors(dir));
        SplittableRandom rnd = new SplittableRandom(42);
        List<String> problems = new ArrayList<>();
        int runs = 0;
        for (var e : valid.entrySet()) {
            byte[] base = e.getValue();
            for (int i = 0; i < 60; i++) {
                byte[] m;
                String what;
                if (i % 3 == 0) {
                    int len = rnd.nextInt(base.length);
                    m = java.util.Arrays.copyOf(base, len);
                    what = "truncated to " + len;
                } else {
                    m = base.clone();
                    int flips = 1 + rnd.nextInt(4);
                    StringBuilder sb = new StringBuilder("flipped");
                    for (int k = 0; k < flips; k++) {
                        // bias towards headers and zip records, where structure lives
                        int pos = rnd.nextBoolean() ? rnd.nextInt(Math.min(base.length, 160))
                                : base.length - 1 - rnd.nextInt(Math.min(base.length, 120));
                        m[pos] ^= (byte) (1 << rnd.nextInt(8));
                        sb.append(' ').append(pos);
                    }
                    what = sb.toString();
                }
                Path p = dir.resolve(e.getKey() + "-" + i);
                Files.write(p, m);
                for (var r : READERS.entrySet()) {
                    runs++;
                    try {
                        attempt(e.getKey() + " " + what + " via " + r.getKey(), r.getValue(), p);
                    } catch (AssertionError err) {
                        problems.add(err.getMessage());
                    }
                }
                Files.delete(p);
            }
        }
        assertTrue(runs > 1000);
        if (!problems.isEmpty()) {
            fail(problems.size() + " problems:\n" + String.join("\n", problems));
        }
    }
}
