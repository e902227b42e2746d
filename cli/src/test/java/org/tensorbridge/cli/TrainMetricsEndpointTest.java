package org.tensorbridge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.cli.progress.Progresses;
import org.tensorbridge.cli.training.EpochStats;
import org.tensorbridge.cli.training.Precision;
import org.tensorbridge.cli.training.StepStats;
import org.tensorbridge.cli.training.TrainConfig;
import org.tensorbridge.cli.training.TrainJob;
import org.tensorbridge.cli.training.TrainingListener;
import org.tensorbridge.torch.Device;

/** The Prometheus endpoint of a real training run on Fashion-MNIST, scraped over loopback while it trains. */
class TrainMetricsEndpointTest {
    private static final List<String> SERIES = List.of("tensorbridge_samples_per_second", "tensorbridge_loss",
            "tensorbridge_learning_rate", "tensorbridge_step_seconds_count", "tensorbridge_loader_wait_seconds_count",
            "tensorbridge_steps_total", "tensorbridge_samples_total", "tensorbridge_epoch",
            "tensorbridge_host_memory_bytes{kind=\"rss\"}");

    @Test
    void theSeriesAreServedDuringTheRun(@TempDir Path dir) throws Exception {
        AtomicReference<URI> endpoint = new AtomicReference<>();
        AtomicReference<String> scrapedAtStep10 = new AtomicReference<>();
        AtomicReference<Exception> scrapeFailure = new AtomicReference<>();
        TrainingListener scraper = new TrainingListener() {
            @Override
            public void step(StepStats step) {
                if (step.step() == 10) {  // mid-run: the job has 30 steps to go
                    try {
                        scrapedAtStep10.set(get(endpoint.get()));
                    } catch (Exception e) {
                        scrapeFailure.set(e);
                    }
                }
            }

            @Override
            public void epoch(EpochStats epoch) {
            }
        };
        TrainConfig config = new TrainConfig("mlp", "fashion-mnist", null, 1, 64, 1e-3, Precision.resolve("off", Device.CPU),
                Device.CPU, dir.resolve("run"), "model.pt", 40, 0, dir, new InetSocketAddress("127.0.0.1", 0));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new TrainJob(config, Progresses.on(new PrintStream(out, true, StandardCharsets.UTF_8), false, 60), line -> {
            if (line.startsWith("metrics: ")) {
                endpoint.set(URI.create(line.substring("metrics: ".length()).split(" ")[0]));
            }
        }, List.of(scraper)).run();

        assertNotNull(endpoint.get(), "the job reports its endpoint before the first step");
        assertEquals("127.0.0.1", endpoint.get().getHost(), "loopback unless told otherwise");
        if (scrapeFailure.get() != null) {
            throw scrapeFailure.get();
        }
        String body = scrapedAtStep10.get();
        for (String series : SERIES) {
            assertTrue(body.lines().anyMatch(line -> line.startsWith(series + " ") || line.startsWith(series + "{")),
                    series + " missing from the scrape:\n" + body);
        }
        assertTrue(body.contains("tensorbridge_steps_total 10.0"), "ten steps done when scraped:\n" + body);
        assertTrue(body.contains("tensorbridge_samples_total 640.0"), "ten batches of 64:\n" + body);
    }

    private static String get(URI uri) throws Exception {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            return response.body();
        }
    }
}
