package org.tensorbridge.monitor;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** One scrape of a Prometheus endpoint over HTTP, parsed: {@code name{labels}} -> value. */
record Scrape(String contentType, Map<String, Double> samples) {
    static Scrape of(URI uri) throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError("GET " + uri + " answered " + response.statusCode() + ": " + response.body());
            }
            Map<String, Double> samples = new LinkedHashMap<>();
            for (String line : response.body().split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
            return new Scrape(response.headers().firstValue("Content-Type").orElse(""), samples);
        }
    }

    /** The value of a sample, failing with what was there when it is missing. */
    double value(String name) {
        Double v = samples.get(name);
        if (v == null) {
            throw new AssertionError("no sample " + name + " in the scrape; it has " + samples.keySet());
        }
        return v;
    }

    boolean hasSeries(String metric) {
        return samples.keySet().stream().anyMatch(k -> k.equals(metric) || k.startsWith(metric + "{"));
    }
}
