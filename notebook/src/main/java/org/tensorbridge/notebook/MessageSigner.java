package org.tensorbridge.notebook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Jupyter's message authentication: the hex HMAC-SHA256, keyed by the connection file's key, of the header,
 * parent header, metadata and content frames. An empty key means no signing (the signature frame is empty).
 */
final class MessageSigner {
    private final byte[] key;

    MessageSigner(String key) {
        this.key = key.getBytes(StandardCharsets.UTF_8);
    }

    boolean signs() {
        return key.length > 0;
    }

    /** The signature frame for these four frames: lower-case hex, or empty without a key. */
    byte[] sign(List<byte[]> frames) {
        if (!signs()) {
            return new byte[0];
        }
        try {
            // A Mac per call: signing happens on several threads (shell, control, iopub).
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] frame : frames) {
                mac.update(frame);
            }
            return HexFormat.of().formatHex(mac.doFinal()).getBytes(StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no HmacSHA256: " + e.getMessage(), e);
        }
    }

    /**
     * Whether {@code signature} is the right one for these frames. The comparison takes the same time wherever the
     * first wrong byte is (MessageDigest.isEqual), so a client cannot find a valid signature byte by byte. Without
     * a key every message passes, as in Jupyter.
     */
    boolean verify(byte[] signature, List<byte[]> frames) {
        if (!signs()) {
            return true;
        }
        return MessageDigest.isEqual(sign(frames), signature);
    }
}
