package org.tensorbridge.monitor;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/** A program that starts a run's metrics with an endpoint and never closes them (run by RunMetricsTest). */
public final class ForgottenRun {
    private ForgottenRun() {
    }

    public static void main(String[] args) throws Exception {
        RunMetrics metrics = RunMetrics.start(Path.of(args[0]), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        metrics.step(0, 8, 1.0, 0.1, 0.01, 0.0);
        System.out.println(metrics.endpoint().orElseThrow());
    }
}
