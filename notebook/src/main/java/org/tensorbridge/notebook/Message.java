package org.tensorbridge.notebook;

import com.google.gson.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One Jupyter message: the routing identities of its sender, and its four JSON parts (buffers are neither read
 * nor sent by this kernel).
 */
record Message(List<byte[]> identities, JsonObject header, JsonObject parentHeader, JsonObject metadata,
        JsonObject content) {
    static final String PROTOCOL_VERSION = "5.3";

    String type() {
        return header.has("msg_type") ? header.get("msg_type").getAsString() : "";
    }

    String id() {
        return header.has("msg_id") ? header.get("msg_id").getAsString() : "";
    }

    /** A new message of {@code type} answering or caused by {@code parent} (routed back to its sender). */
    static Message reply(Message parent, String session, String type, JsonObject content) {
        return new Message(parent == null ? List.of() : parent.identities(), header(session, type),
                parent == null ? new JsonObject() : parent.header(), new JsonObject(), content);
    }

    static JsonObject header(String session, String type) {
        JsonObject header = new JsonObject();
        header.addProperty("msg_id", UUID.randomUUID().toString());
        header.addProperty("session", session);
        header.addProperty("username", "tensorbridge");
        header.addProperty("date", Instant.now().toString());
        header.addProperty("msg_type", type);
        header.addProperty("version", PROTOCOL_VERSION);
        return header;
    }
}
