package org.tensorbridge.ndarray.io;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.testkit.Python;

/**
 * NumPy judges the fuzz corpus: every .npy / .npz input we accept, NumPy must accept too (NumPy accepting what we
 * refuse is allowed: the deliberate differences of {@link CorruptFilesTest#NUMPY_MAY_ACCEPT}). Runs over the
 * committed seeds and findings, and, when {@code -Dtb.fuzz.corpus=DIR} is given (as {@code ndarray/fuzz/fuzz.sh}
 * does after fuzzing), over the corpus the fuzzer evolved.
 */
class FuzzCorpusNumpyTest {
    @Test
    void numpyAcceptsEveryInputWeAccept(@TempDir Path tmp) throws Exception {
        List<Path> files = new ArrayList<>();
        List<Path> dirs = new ArrayList<>(List.of(Path.of("src/test/resources/org/tensorbridge/ndarray/io/ReaderFuzzTestInputs")));
        String extra = System.getProperty("tb.fuzz.corpus");
        if (extra != null && !extra.isBlank()) {
            dirs.add(Path.of(extra));
        }
        for (Path d : dirs) {
            try (Stream<Path> s = Files.walk(d)) {
                s.filter(Files::isRegularFile).sorted().forEach(files::add);
            }
        }
        assertTrue(files.size() >= 20, "found only " + files.size() + " corpus files in " + dirs);
        StringBuilder ours = new StringBuilder();
        for (Path f : files) {
            ours.append(f.toAbsolutePath()).append('\t').append(accepts(() -> NpyFile.read(f).close())).append('\t')
                    .append(accepts(() -> NpzFile.read(f).values().forEach(NDArray::close))).append('\n');
        }
        Path list = tmp.resolve("verdicts.tsv");
        Files.writeString(list, ours);
        String report = Python.numpy2().run("""
                import sys, warnings, zipfile, numpy as np
                warnings.simplefilter('ignore')
                def npy(p):
                    try:
                        with open(p, 'rb') as f:
                            np.lib.format.read_array(f, allow_pickle=False)
                        return 'ok'
                    except Exception:
                        return 'no'
                def npz(p):
                    try:
                        with zipfile.ZipFile(p):
                            pass
                        r = np.load(p, allow_pickle=False)
                        [r[k] for k in r.files]
                        return 'ok'
                    except Exception:
                        return 'no'
                agree = numpy_only = 0
                ours_only = []
                for line in open(sys.argv[1]):
                    path, our_npy, our_npz = line.rstrip('\\n').split('\\t')
                    for kind, ours, theirs in (('npy', our_npy, npy(path)), ('npz', our_npz, npz(path))):
                        if ours == theirs:
                            agree += 1
                        elif theirs == 'ok':
                            numpy_only += 1
                        else:
                            ours_only.append(kind + ' ' + path)
                print('FUZZ-NUMPY files=%d verdicts=%d agree=%d numpy-only-accepts=%d we-only-accept=%d'
                      % (len(open(sys.argv[1]).readlines()), 2 * len(open(sys.argv[1]).readlines()), agree, numpy_only,
                         len(ours_only)))
                for x in ours_only:
                    print('WE ACCEPT, NUMPY REFUSES:', x)
                """, list.toString()).trim();
        System.err.println(report);
        assertTrue(report.contains("we-only-accept=0"), report);
    }

    @FunctionalInterface
    interface Read {
        void run() throws Exception;
    }

    private static String accepts(Read r) throws Exception {
        try {
            r.run();
            return "ok";
        } catch (ArrayFileFormatException e) {
            return "no";
        }
    }
}
