package org.tensorbridge.cli;

import java.net.InetSocketAddress;

/** {@code --metrics-port} / {@code --metrics-host}: the Prometheus endpoint's address, or none. */
final class MetricsAddress {
    private MetricsAddress() {
    }

    /**
     * The address for {@code port} ("off": none; 0: any free port) on {@code host} (127.0.0.1 by default: the
     * endpoint has no authentication, so it stays on loopback unless a trusted network is named).
     */
    static InetSocketAddress parse(String host, String port) {
        if (port.strip().equalsIgnoreCase("off")) {
            return null;
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
        InetSocketAddress address = new InetSocketAddress(host.strip(), number);
        if (address.isUnresolved()) {
            throw new UsageException("--metrics-host " + host + ": not an address of this machine's names");
        }
        return address;
    }
}
