package org.tensorbridge.notebook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A Jupyter client for the tests, on real ZeroMQ sockets, written independently of the kernel's codec: it signs
 * with its own HMAC and checks every reply's signature itself.
 */
final class KernelClient implements AutoCloseable {
    record Received(JsonObject header, JsonObject parent, JsonObject content) {
        String type() {
            return header.get("msg_type").getAsString();
        }

        String parentId() {
            return parent.has("msg_id") ? parent.get("msg_id").getAsString() : "";
        }
    }

    /** What the client sends in the signature frame. */
    enum Signature { GOOD, WRONG, NONE }

    private final ZContext context = new ZContext();
    private final String key;
    final ZMQ.Socket shell;
    final ZMQ.Socket control;
    final ZMQ.Socket iopub;
    final ZMQ.Socket heartbeat;
    private final String session = UUID.randomUUID().toString();

    KernelClient(ConnectionInfo connection) {
        key = connection.key();
        shell = connect(SocketType.DEALER, connection.address(connection.shellPort()));
        control = connect(SocketType.DEALER, connection.address(connection.controlPort()));
        heartbeat = connect(SocketType.REQ, connection.address(connection.hbPort()));
        iopub = context.createSocket(SocketType.SUB);
        iopub.subscribe(new byte[0]);
        iopub.connect(connection.address(connection.iopubPort()));
    }

    static ConnectionInfo freeConnection(String key) throws IOException {
        int[] ports = new int[5];
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < ports.length; i++) {
                ServerSocket socket = new ServerSocket(0);
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
        return new ConnectionInfo("tcp", "127.0.0.1", ports[0], ports[1], ports[2], ports[3], ports[4],
                "hmac-sha256", key);
    }

    private ZMQ.Socket connect(SocketType type, String address) {
        ZMQ.Socket socket = context.createSocket(type);
        socket.connect(address);
        return socket;
    }

    /** Sends a request; returns its msg_id. */
    String send(ZMQ.Socket socket, String type, JsonObject content, Signature signature) {
        String id = UUID.randomUUID().toString();
        JsonObject header = new JsonObject();
        header.addProperty("msg_id", id);
        header.addProperty("session", session);
        header.addProperty("username", "test");
        header.addProperty("date", Instant.now().toString());
        header.addProperty("msg_type", type);
        header.addProperty("version", "5.3");
        List<byte[]> parts = List.of(bytes(header.toString()), bytes("{}"), bytes("{}"), bytes(content.toString()));
        byte[] sig = switch (signature) {
            case GOOD -> sign(parts);
            case WRONG -> sign(List.of(parts.get(0), parts.get(1), parts.get(2), bytes("{\"code\": \"tampered\"}")));
            case NONE -> new byte[0];
        };
        sendFrames(socket, parts, sig);
        return id;
    }

    void sendFrames(ZMQ.Socket socket, List<byte[]> parts, byte[] signature) {
        socket.send(MessageCodec.DELIMITER, ZMQ.SNDMORE);
        socket.send(signature, ZMQ.SNDMORE);
        for (int i = 0; i < parts.size(); i++) {
            socket.send(parts.get(i), i < parts.size() - 1 ? ZMQ.SNDMORE : 0);
        }
    }

    /** The next message on {@code socket} within {@code millis}, or null; its signature is checked. */
    Received receive(ZMQ.Socket socket, int millis) {
        socket.setReceiveTimeOut(millis);
        List<byte[]> frames = Sockets.receive(socket);
        if (frames == null) {
            return null;
        }
        int delimiter = 0;
        while (!java.util.Arrays.equals(frames.get(delimiter), MessageCodec.DELIMITER)) {
            delimiter++;
        }
        List<byte[]> parts = frames.subList(delimiter + 2, delimiter + 6);
        assertArrayEquals(sign(parts), frames.get(delimiter + 1), "the kernel signs what it sends");
        return new Received(json(parts.get(0)), json(parts.get(1)), json(parts.get(3)));
    }

    /** The reply to {@code id} on {@code socket} (fails after 120 s). */
    Received reply(ZMQ.Socket socket, String id) {
        Received received = receive(socket, 120_000);
        if (received == null) {
            fail("no reply to " + id + " within 120 s");
        }
        return received;
    }

    /** IOPub messages caused by {@code id}, up to its status idle. */
    List<Received> iopubFor(String id) {
        List<Received> messages = new ArrayList<>();
        while (true) {
            Received received = receive(iopub, 120_000);
            if (received == null) {
                fail("IOPub: no status idle for " + id + " within 120 s; got " + messages);
            }
            if (!received.parentId().equals(id)) {
                continue;
            }
            messages.add(received);
            if (received.type().equals("status")
                    && received.content().get("execution_state").getAsString().equals("idle")) {
                return messages;
            }
        }
    }

    /** Sends kernel_info_request until IOPub carries its status (SUB connects asynchronously). */
    void waitForReady() {
        for (int attempt = 0; attempt < 100; attempt++) {
            String id = send(shell, "kernel_info_request", new JsonObject(), Signature.GOOD);
            reply(shell, id);
            Received status;
            while ((status = receive(iopub, 200)) != null) {
                if (status.parentId().equals(id)) {
                    while (receive(iopub, 200) != null) {
                        // drain the rest
                    }
                    return;
                }
            }
        }
        fail("IOPub never delivered a status message");
    }

    /** Runs {@code code}; returns the execute_reply and the IOPub messages of the request. */
    Execution execute(String code) {
        JsonObject content = new JsonObject();
        content.addProperty("code", code);
        content.addProperty("silent", false);
        String id = send(shell, "execute_request", content, Signature.GOOD);
        Received reply = reply(shell, id);
        return new Execution(reply, iopubFor(id));
    }

    record Execution(Received reply, List<Received> iopub) {
        String stdout() {
            StringBuilder text = new StringBuilder();
            for (Received r : iopub) {
                if (r.type().equals("stream") && r.content().get("name").getAsString().equals("stdout")) {
                    text.append(r.content().get("text").getAsString());
                }
            }
            return text.toString();
        }

        List<Received> ofType(String type) {
            return iopub.stream().filter(r -> r.type().equals(type)).toList();
        }
    }

    byte[] sign(List<byte[]> parts) {
        if (key.isEmpty()) {
            return new byte[0];
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            parts.forEach(mac::update);
            return HexFormat.of().formatHex(mac.doFinal()).getBytes(StandardCharsets.US_ASCII);
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static JsonObject json(byte[] frame) {
        return JsonParser.parseString(new String(frame, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    @Override
    public void close() {
        context.close();
    }
}
