package org.tensorbridge.cli.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLogTest {
    @Test
    void theLibrarysSystemLoggerRecordsAndTheSummaryLinesReachTheRunsFileWhileItIsOpen(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.Logger library = System.getLogger("org.tensorbridge.data.SomeLibraryClass");
        try (RunLog log = RunLog.open(dir, new PrintStream(printed, true, StandardCharsets.UTF_8))) {
            library.log(System.Logger.Level.INFO, "a library record {0}", 42);
            library.log(System.Logger.Level.DEBUG, "below the level");
            log.line("epoch 1/1 done");
        }
        library.log(System.Logger.Level.WARNING, "after the run");
        String file = Files.readString(dir.resolve("tensorbridge.log"));
        assertTrue(file.matches("(?s)\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO .*a library record 42\n.*"), file);
        assertTrue(file.contains("tensorbridge.run - epoch 1/1 done"), file);
        assertFalse(file.contains("below the level") || file.contains("after the run"), file);
        assertEquals("epoch 1/1 done\n", printed.toString(StandardCharsets.UTF_8), "summary lines are printed once");
    }
}
