package org.tensorbridge.notebook;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SequencedSet;

/**
 * The wire format: {@code [identities..., "<IDS|MSG>", signature, header, parent_header, metadata, content,
 * buffers...]}. Decoding checks the signature before anything else is parsed and refuses a signature seen before
 * (a replayed message), as ipykernel does.
 */
final class MessageCodec {
    static final byte[] DELIMITER = "<IDS|MSG>".getBytes(StandardCharsets.US_ASCII);
    private static final int REMEMBERED_SIGNATURES = 1 << 16;

    private final MessageSigner signer;
    private final SequencedSet<String> seenSignatures = new LinkedHashSet<>();

    MessageCodec(MessageSigner signer) {
        this.signer = signer;
    }

    List<byte[]> encode(Message message) {
        List<byte[]> parts = List.of(json(message.header()), json(message.parentHeader()), json(message.metadata()),
                json(message.content()));
        List<byte[]> frames = new ArrayList<>(message.identities());
        frames.add(DELIMITER);
        frames.add(signer.sign(parts));
        frames.addAll(parts);
        return frames;
    }

    Message decode(List<byte[]> frames) throws RefusedMessageException {
        int delimiter = -1;
        for (int i = 0; i < frames.size(); i++) {
            if (Arrays.equals(frames.get(i), DELIMITER)) {
                delimiter = i;
                break;
            }
        }
        if (delimiter < 0 || frames.size() < delimiter + 6) {
            throw new RefusedMessageException("not a Jupyter message (no <IDS|MSG> delimiter followed by a signature"
                    + " and four parts)");
        }
        byte[] signature = frames.get(delimiter + 1);
        List<byte[]> parts = frames.subList(delimiter + 2, delimiter + 6);
        if (signer.signs()) {
            if (signature.length == 0) {
                throw new RefusedMessageException("unsigned message: this kernel's connection file has a key, so every"
                        + " message must carry its HMAC-SHA256 signature");
            }
            if (!signer.verify(signature, parts)) {
                throw new RefusedMessageException("wrong signature: the message was not signed with this kernel's key");
            }
            if (!remember(HexFormat.of().formatHex(signature))) {
                throw new RefusedMessageException("replayed message: its signature was seen before");
            }
        }
        JsonObject header = object(parts.get(0), "header");
        if (!header.has("msg_type") || !header.has("msg_id")) {
            throw new RefusedMessageException("the header lacks msg_type or msg_id");
        }
        return new Message(List.copyOf(frames.subList(0, delimiter)), header, object(parts.get(1), "parent_header"),
                object(parts.get(2), "metadata"), object(parts.get(3), "content"));
    }

    private synchronized boolean remember(String signature) {
        if (!seenSignatures.add(signature)) {
            return false;
        }
        if (seenSignatures.size() > REMEMBERED_SIGNATURES) {
            seenSignatures.removeFirst();
        }
        return true;
    }

    private static byte[] json(JsonObject object) {
        return object.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static JsonObject object(byte[] frame, String name) throws RefusedMessageException {
        try {
            JsonElement parsed = JsonParser.parseString(new String(frame, StandardCharsets.UTF_8));
            if (!parsed.isJsonObject()) {
                throw new RefusedMessageException("the " + name + " part is not a JSON object");
            }
            return parsed.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new RefusedMessageException("the " + name + " part is not valid JSON: " + e.getMessage());
        }
    }
}
