package org.tensorbridge.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.tensorbridge.notebook.KernelClient.Execution;
import org.tensorbridge.notebook.KernelClient.Received;
import org.tensorbridge.notebook.KernelClient.Signature;

/**
 * The kernel on real ZeroMQ sockets, driven by a client that signs independently: signed requests are answered,
 * unsigned, wrongly signed and replayed ones are dropped without being run; cells show values as text, images
 * as PNG display data, errors as Jupyter errors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KernelProtocolTest {
    private Kernel kernel;
    private KernelClient client;

    @BeforeAll
    void start() throws Exception {
        ConnectionInfo connection = KernelClient.freeConnection(UUID.randomUUID().toString());
        kernel = Kernel.start(connection, ClassPath.ofRunningApplication());
        client = new KernelClient(connection);
        client.waitForReady();
    }

    @AfterAll
    void stop() {
        client.close();
        kernel.close();
    }

    @Test
    void aSignedRequestIsAnsweredWithASignedReply() {
        String id = client.send(client.shell, "kernel_info_request", new JsonObject(), Signature.GOOD);
        Received reply = client.reply(client.shell, id); // the client checks the reply's signature
        assertEquals("kernel_info_reply", reply.type());
        assertEquals(id, reply.parentId());
        assertEquals("java", reply.content().getAsJsonObject("language_info").get("name").getAsString());
        assertEquals("5.3", reply.content().get("protocol_version").getAsString());
    }

    @Test
    void wronglySignedUnsignedAndReplayedRequestsAreRefusedOnShellAndControl() throws Exception {
        int before = client.execute("1").reply().content().get("execution_count").getAsInt();
        // Each refused request would print REFUSED-n and count an execution if the kernel ran it.
        client.send(client.shell, "execute_request", code("System.out.println(\"REFUSED-1\")"), Signature.WRONG);
        client.send(client.shell, "execute_request", code("System.out.println(\"REFUSED-2\")"), Signature.NONE);
        client.send(client.control, "shutdown_request", new JsonObject(), Signature.WRONG);
        client.send(client.control, "shutdown_request", new JsonObject(), Signature.NONE);

        // The shell answers in order: the next reply on shell is the good request's, so the others were dropped.
        Execution good = client.execute("System.out.println(\"ACCEPTED\"); 6 * 7");
        assertEquals("ok", good.reply().content().get("status").getAsString());
        assertEquals(before + 1, good.reply().content().get("execution_count").getAsInt(),
                "no refused request was counted as an execution");
        assertEquals("ACCEPTED\n", good.stdout());
        assertNull(client.receive(client.shell, 0), "no reply to a refused request");
        assertNull(client.receive(client.control, 500), "no reply to the refused shutdown requests");

        // A replay: the very frames of an accepted request, sent again.
        JsonObject replayed = code("System.out.println(\"REPLAYED\")");
        List<byte[]> parts = List.of(KernelClient.bytes(header("execute_request").toString()),
                KernelClient.bytes("{}"), KernelClient.bytes("{}"), KernelClient.bytes(replayed.toString()));
        client.sendFrames(client.shell, parts, client.sign(parts));
        Received first = client.reply(client.shell, "first");
        assertEquals("ok", first.content().get("status").getAsString());
        client.sendFrames(client.shell, parts, client.sign(parts));
        Execution after = client.execute("\"still serving\"");
        assertEquals(before + 3, after.reply().content().get("execution_count").getAsInt(),
                "the replayed request did not run a second time");
        assertFalse(after.stdout().contains("REPLAYED"));
        assertTrue(alive(kernel), "the kernel is still up");
    }

    @Test
    void valuesAreTextImagesArePngAndOutputIsStreamed() throws Exception {
        Execution array = client.execute("""
                NDArray a = NDArrays.arange(6).reshape(2, 3);
                Tensor t = Bridge.fromArray(a);
                t.get(1, 2).fill_(50);
                System.out.println("shared: " + a.getLong(1, 2));
                a
                """);
        assertEquals("ok", array.reply().content().get("status").getAsString(), array.iopub().toString());
        assertEquals("shared: 50\n", array.stdout());
        assertTrue(array.iopub().stream().noneMatch(r -> r.type().equals("stream")
                && r.content().get("name").getAsString().equals("stderr")), "no warnings: " + array.iopub());
        Execution vm = client.execute("ModuleLayer.boot().findModule(\"jdk.incubator.vector\").isPresent()"
                + " + \" \" + Bridge.class.getModule().isNativeAccessEnabled()");
        assertEquals("\"true true\"", vm.ofType("execute_result").getFirst().content().getAsJsonObject("data")
                .get("text/plain").getAsString(), "the cells' VM has the vector module and native access");
        Received result = array.ofType("execute_result").getFirst();
        String text = result.content().getAsJsonObject("data").get("text/plain").getAsString();
        assertTrue(text.contains("50"), text);

        Execution image = client.execute("""
                var image = new java.awt.image.BufferedImage(40, 30, java.awt.image.BufferedImage.TYPE_INT_RGB);
                image.setRGB(3, 4, 0xff0000);
                image
                """);
        assertEquals("ok", image.reply().content().get("status").getAsString(), image.iopub().toString());
        assertTrue(image.ofType("execute_result").isEmpty(), "an image is display data, not a text result");
        JsonObject data = image.ofType("display_data").getFirst().content().getAsJsonObject("data");
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(
                Base64.getDecoder().decode(data.get("image/png").getAsString())));
        assertNotNull(decoded, "the PNG decodes");
        assertEquals(40, decoded.getWidth());
        assertEquals(0xff0000, decoded.getRGB(3, 4) & 0xffffff);
        assertEquals("BufferedImage 40x30", data.get("text/plain").getAsString());

        Execution displayed = client.execute("System.out.println(\"before\"); display(image); display(\"text\");"
                + " System.out.println(\"after\");");
        List<String> kinds = displayed.iopub().stream().filter(r -> !r.type().equals("status")
                && !r.type().equals("execute_input")).map(Received::type).toList();
        assertEquals(List.of("stream", "display_data", "display_data", "stream"), kinds, displayed.iopub().toString());
        assertEquals("before\nafter\n", displayed.stdout());
    }

    @Test
    void compileErrorsAndExceptionsAreJupyterErrors() {
        Execution compile = client.execute("int x = \"not an int\";");
        assertEquals("error", compile.reply().content().get("status").getAsString());
        assertEquals("CompilationError", compile.reply().content().get("ename").getAsString());
        assertTrue(compile.reply().content().get("evalue").getAsString().contains("incompatible types"),
                compile.reply().toString());
        assertEquals(1, compile.ofType("error").size());

        Execution thrown = client.execute("System.out.println(\"runs\"); int zero = 0; int y = 1 / zero;"
                + " System.out.println(\"never\");");
        assertEquals("error", thrown.reply().content().get("status").getAsString());
        assertEquals("java.lang.ArithmeticException", thrown.reply().content().get("ename").getAsString());
        assertEquals("runs\n", thrown.stdout(), "snippets after the failing one do not run");

        Execution library = client.execute("Bridge.fromArray(NDArrays.arange(4).slice(0, Long.MAX_VALUE,"
                + " Long.MIN_VALUE, -1))");
        assertEquals("org.tensorbridge.bridge.BridgeException", library.reply().content().get("ename").getAsString());
        assertTrue(library.reply().content().get("evalue").getAsString().contains("negative"),
                library.reply().toString());
    }

    @Test
    void anInterruptOnControlStopsARunningCell() {
        String running = client.send(client.shell, "execute_request", code(
                "System.out.println(\"looping\"); while (true) { Thread.onSpinWait(); }"), Signature.GOOD);
        // The cell has started once its output arrives; control is served while it runs.
        Received output;
        do {
            output = client.receive(client.iopub, 120_000);
            assertNotNull(output, "the looping cell started");
        } while (!(output.type().equals("stream") && output.parentId().equals(running)));
        String interrupt = client.send(client.control, "interrupt_request", new JsonObject(), Signature.GOOD);
        assertEquals("interrupt_reply", client.reply(client.control, interrupt).type());
        Received stopped = client.reply(client.shell, running);
        assertEquals(running, stopped.parentId());
        assertEquals("error", stopped.content().get("status").getAsString(), stopped.toString());
        assertEquals("ok", client.execute("1 + 1").reply().content().get("status").getAsString(),
                "the kernel runs cells after an interrupt");
    }

    private static JsonObject code(String code) {
        JsonObject content = new JsonObject();
        content.addProperty("code", code);
        content.addProperty("silent", false);
        return content;
    }

    private static JsonObject header(String type) {
        JsonObject header = new JsonObject();
        header.addProperty("msg_id", "first");
        header.addProperty("session", "replay");
        header.addProperty("username", "test");
        header.addProperty("date", "2026-12-02T12:00:00Z");
        header.addProperty("msg_type", type);
        header.addProperty("version", "5.3");
        return header;
    }

    static boolean alive(Kernel kernel) throws InterruptedException {
        return !kernel.awaitShutdown(0, TimeUnit.MILLISECONDS);
    }
}
