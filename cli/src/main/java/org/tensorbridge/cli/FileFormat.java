package org.tensorbridge.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.ZipFile;

/** The array and checkpoint files inspect and convert know, told apart by content (then by name for new files). */
enum FileFormat {
    NPY("npy"), NPZ("npz"), SAFETENSORS("safetensors"), TORCH("torch.save");

    private final String label;

    FileFormat(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }

    /** An existing file's format, from its first bytes: NumPy's magic, a zip (torch.save has data.pkl), else safetensors. */
    static FileFormat of(Path file) throws IOException {
        byte[] magic;
        try (InputStream in = Files.newInputStream(file)) {
            magic = in.readNBytes(6);
        }
        if (magic.length == 6 && (magic[0] & 0xff) == 0x93 && new String(magic, 1, 5, java.nio.charset.StandardCharsets.US_ASCII).equals("NUMPY")) {
            return NPY;
        }
        if (magic.length >= 2 && magic[0] == 'P' && magic[1] == 'K') {
            try (ZipFile zip = new ZipFile(file.toFile())) {
                return zip.stream().anyMatch(e -> e.getName().endsWith("/data.pkl")) ? TORCH : NPZ;
            } catch (java.util.zip.ZipException e) {
                return file.toString().endsWith(".npz") ? NPZ : TORCH;  // a broken zip: let its reader say what is wrong
            }
        }
        return SAFETENSORS;
    }

    /** A format by name ({@code npz}, {@code safetensors}, {@code torch}/{@code pt}) or by a file's extension. */
    static FileFormat named(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        String ext = dot >= 0 ? n.substring(dot + 1) : n;
        return switch (ext) {
            case "npy" -> NPY;
            case "npz" -> NPZ;
            case "safetensors" -> SAFETENSORS;
            case "pt", "pth", "ckpt", "bin", "torch" -> TORCH;
            default -> throw new UsageException("'" + name + "': not a known format; use .npz, .safetensors or .pt/.pth"
                    + " (torch.save), or --to npz|safetensors|torch");
        };
    }
}
