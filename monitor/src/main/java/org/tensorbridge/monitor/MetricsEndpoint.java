package org.tensorbridge.monitor;

import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves a registry's metrics in Prometheus's text format at {@code /metrics}, on exactly the address asked for
 * (the JDK's HTTP server). Its threads are daemons: a forgotten endpoint never keeps the JVM alive.
 */
final class MetricsEndpoint implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;
    private final InetSocketAddress bound;

    private MetricsEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
        this.bound = server.getAddress();
    }

    static MetricsEndpoint start(InetSocketAddress address, PrometheusRegistry registry) throws IOException {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("cannot resolve the metrics endpoint's host '" + address.getHostString()
                    + "': pass an IP address, e.g. new InetSocketAddress(InetAddress.getLoopbackAddress(), 9400)");
        }
        HttpServer server;
        try {
            server = HttpServer.create(address, 0);
        } catch (BindException e) {
            BindException named = new BindException("cannot listen for Prometheus on " + describe(address) + ": "
                    + e.getMessage() + "; choose another port (0 takes any free one) or stop what listens there");
            named.initCause(e);
            throw named;
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon()
                .name("tensorbridge-metrics-http").factory());
        server.setExecutor(executor);
        server.createContext("/metrics", new MetricsHandler(registry));
        // The server's dispatcher thread inherits daemon status from the thread that starts it: starting it from a
        // daemon thread keeps a forgotten endpoint from holding the JVM open after main returns.
        Thread starter = Thread.ofPlatform().daemon().name("tensorbridge-metrics-start").start(server::start);
        try {
            starter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.stop(0);
            executor.shutdownNow();
            throw new InterruptedIOException("interrupted while starting the metrics endpoint");
        }
        return new MetricsEndpoint(server, executor);
    }

    /** The address the server listens on (the actual port when port 0 was asked for). */
    InetSocketAddress boundAddress() {
        return bound;
    }

    /**
     * Where to scrape from this machine: the bound address, or loopback when bound to every interface (other
     * machines use this machine's address instead).
     */
    URI uri() {
        InetAddress host = bound.getAddress().isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : bound.getAddress();
        return URI.create("http://" + hostLiteral(host) + ":" + bound.getPort() + "/metrics");
    }

    private static String hostLiteral(InetAddress address) {
        String literal = address.getHostAddress();
        int zone = literal.indexOf('%');  // a scope id has no place in a URI host
        if (zone >= 0) {
            literal = literal.substring(0, zone);
        }
        return address instanceof Inet6Address ? "[" + literal + "]" : literal;
    }

    private static String describe(InetSocketAddress address) {
        return hostLiteral(address.getAddress()) + ":" + address.getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
