package org.tensorbridge.cli;

import java.nio.file.Path;
import java.util.Optional;
import org.tensorbridge.cli.training.TrainingListener;

/**
 * Where {@code train --metrics-port} gets its listener. The Prometheus endpoint (RunMetrics) comes with the
 * {@code monitor} module, which this build does not contain yet: until it is wired in here, asking for it is an
 * error rather than a silently missing endpoint.
 */
final class MetricsEndpoint {
    private MetricsEndpoint() {
    }

    /** The metrics listener for {@code port} ("off": none) on {@code host}, writing into {@code runDirectory}. */
    static Optional<TrainingListener> open(String host, String port, Path runDirectory) {
        if (port.equals("off")) {
            return Optional.empty();
        }
        int number;
        try {
            number = Integer.parseInt(port.strip());
        } catch (NumberFormatException e) {
            throw new UsageException("--metrics-port " + port + ": a port number (0: any free port) or off");
        }
        if (number < 0 || number > 65535) {
            throw new UsageException("--metrics-port " + port + ": ports are 0..65535 (0: any free port)");
        }
        throw new EnvironmentException("--metrics-port " + port + " on " + host + ": this build has no metrics endpoint"
                + " (the monitor module's RunMetrics is not wired in yet); leave --metrics-port off");
    }
}
