package org.tensorbridge.notebook;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.zeromq.ZMQ;

/**
 * The IOPub channel: everything the kernel broadcasts (status, inputs, results, output streams, errors). Several
 * threads publish (shell, control, the JShell output reader) and a ZeroMQ socket is not thread-safe, so every
 * send holds this object's lock.
 */
final class IoPub implements AutoCloseable {
    private final ZMQ.Socket socket;
    private final MessageCodec codec;
    private final String session;
    private volatile Message current;
    private boolean closed;

    IoPub(ZMQ.Socket socket, MessageCodec codec, String session) {
        this.socket = socket;
        this.codec = codec;
        this.session = session;
    }

    /** The request that output streams belong to from now on. */
    void runningFor(Message request) {
        current = request;
    }

    void status(String state, Message parent) {
        JsonObject content = new JsonObject();
        content.addProperty("execution_state", state);
        publish(parent, "status", content);
    }

    void executeInput(Message parent, String code, int count) {
        JsonObject content = new JsonObject();
        content.addProperty("code", code);
        content.addProperty("execution_count", count);
        publish(parent, "execute_input", content);
    }

    void executeResult(Message parent, int count, String text) {
        JsonObject content = new JsonObject();
        content.addProperty("execution_count", count);
        content.add("data", textData(text));
        content.add("metadata", new JsonObject());
        publish(parent, "execute_result", content);
    }

    void error(Message parent, String ename, String evalue, List<String> traceback) {
        publish(parent, "error", Kernel.errorContent(ename, evalue, traceback));
    }

    /** Text the cell printed: {@code name} is stdout or stderr. */
    void stream(String name, String text) {
        JsonObject content = new JsonObject();
        content.addProperty("name", name);
        content.addProperty("text", text);
        publish(current, "stream", content);
    }

    /** Rich output: a PNG (base64, may be null) with its text form. */
    void display(String pngBase64, String text) {
        JsonObject data = textData(text);
        if (pngBase64 != null) {
            data.addProperty("image/png", pngBase64);
        }
        JsonObject content = new JsonObject();
        content.add("data", data);
        content.add("metadata", new JsonObject());
        content.add("transient", new JsonObject());
        publish(current, "display_data", content);
    }

    private static JsonObject textData(String text) {
        JsonObject data = new JsonObject();
        data.addProperty("text/plain", text);
        return data;
    }

    private synchronized void publish(Message parent, String type, JsonObject content) {
        if (closed) {
            return;
        }
        Message message = new Message(List.of(("kernel." + session + "." + type).getBytes(StandardCharsets.UTF_8)),
                Message.header(session, type), parent == null ? new JsonObject() : parent.header(), new JsonObject(),
                content);
        Sockets.send(socket, codec.encode(message));
    }

    @Override
    public synchronized void close() {
        closed = true;
        socket.close();
    }

    static JsonArray strings(List<String> values) {
        JsonArray array = new JsonArray();
        values.forEach(array::add);
        return array;
    }
}
