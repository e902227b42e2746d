package org.tensorbridge.monitor;

import java.awt.GraphicsEnvironment;
import java.util.Map;

/** Draws a chart in a fresh JVM, then prints whether AWT runs headless (run by ChartsTest with a DISPLAY set). */
public final class HeadlessCheck {
    private HeadlessCheck() {
    }

    public static void main(String[] args) {
        Charts.lines("t", "x", "y", Map.of("s", new double[][] {{0, 1}, {0, 1}}));
        System.out.println("headless=" + GraphicsEnvironment.isHeadless());
    }
}
