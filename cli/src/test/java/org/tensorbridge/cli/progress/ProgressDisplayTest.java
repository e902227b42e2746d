package org.tensorbridge.cli.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressDisplayTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicLong clock = new AtomicLong();

    @Test
    void withoutATerminalEveryTenthIsOneWholeLine() {
        try (ProgressDisplay display = ProgressDisplay.create("epoch 1/1", 200, out, false, 1e9, clock::get)) {
            for (int i = 1; i <= 200; i++) {
                clock.addAndGet(50_000_000L);  // 50 ms a step: 10 s in all
                display.update(i, "loss 0.5");
            }
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains("\r"), "no carriage returns in a log: " + text);
        String[] lines = text.split("\n");
        assertEquals(10, lines.length, text);
        assertEquals("epoch 1/1  10% (20/200) ETA 0:09 loss 0.5", lines[0]);
        assertEquals("epoch 1/1 100% (200/200) ETA 0:00 loss 0.5", lines[9]);
    }

    @Test
    void withoutATerminalSlowWorkStillPrintsEveryInterval() {
        try (ProgressDisplay display = ProgressDisplay.create("reading", 1000, out, false, 10, clock::get)) {
            for (int i = 1; i <= 30; i++) {
                clock.addAndGet(4_000_000_000L);  // 4 s per unit: a line every third unit (every 10 s or more)
                display.update(i, "");
            }
        }
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(10, lines.length, String.join("\n", lines));  // every 12 s; the last state was printed already
        assertTrue(lines[0].startsWith("reading   0% (3/1000) ETA 1:06:28"), lines[0]);
        assertTrue(lines[9].startsWith("reading   3% (30/1000)"), lines[9]);
    }

    @Test
    void onATerminalTheBarRedrawsInPlaceAndEndsItsLine() {
        try (ProgressDisplay display = ProgressDisplay.create("epoch 2/8", 4, out, true, 10, clock::get)) {
            for (int i = 1; i <= 4; i++) {
                clock.addAndGet(1_000_000_000L);
                display.update(i, "loss 0.25");
            }
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("\repoch 2/8 [#######"), text);
        assertTrue(text.contains("\repoch 2/8 [##############################] 100% 4/4 ETA 0:00 loss 0.25"), text);
        assertTrue(text.endsWith("\n") && text.indexOf('\n') == text.length() - 1, "one line, redrawn: " + text);
    }

    @Test
    void testsAndPipesAreNoTerminal() {
        assertFalse(Terminal.interactive(Map.of("TERM", "dumb")));
        assertFalse(Terminal.interactive(Map.of()));
    }
}
