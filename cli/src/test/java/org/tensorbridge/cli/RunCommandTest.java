package org.tensorbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RunCommandTest {
    private static String[] run(String... args) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return new String[] {String.valueOf(exit), bytes.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void startsRanksWithTorchrunsEnvironmentAndPrefixesTheirOutput() throws Exception {
        String[] r = run("run", "--nproc", "2", "--", RunRank.class.getName());
        assertEquals("0", r[0], r[1]);
        assertTrue(r[1].contains("[rank 0] local 0 of 2 sum 3.0 store file"), r[1]);
        assertTrue(r[1].contains("[rank 1] local 1 of 2 sum 3.0 store file"), r[1]);
    }

    @Test
    void oneFailingRankStopsTheOthersAtOnce() throws Exception {
        long start = System.nanoTime();
        String[] r = run("run", "--nproc", "2", "--", RunRank.class.getName(), "fail");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertEquals("7", r[0], r[1]);
        assertTrue(r[1].contains("[rank 1] failing on purpose"), r[1]);
        assertTrue(r[1].contains("local rank 1 exited with 7; stopping the other 1 rank(s)"), r[1]);
        assertTrue(seconds < 60, "took " + seconds + " s");
    }

    @Test
    void noProgramIsAUsageError() throws Exception {
        assertEquals("2", run("run", "--nproc", "2")[0]);
    }
}
