package org.tensorbridge.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.tensorbridge.torch.Torch;
import picocli.CommandLine;

/** {@code --version}: this build's version (the jar manifest, else the Maven project version) and libtorch's. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"tensorbridge " + projectVersion(), "libtorch " + libtorchVersion(),
                "Java " + Runtime.version()};
    }

    static String projectVersion() {
        String fromManifest = Main.class.getPackage().getImplementationVersion();
        if (fromManifest != null) {
            return fromManifest;
        }
        try (InputStream in = Main.class.getResourceAsStream("/tensorbridge-cli.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static String libtorchVersion() {
        try {
            return Torch.version() + " (" + Torch.buildInfo().getProperty("libtorch.source",
                    Torch.buildInfo().getProperty("libtorch", "?")) + ")";
        } catch (RuntimeException | LinkageError e) {
            return "not loadable: " + e.getMessage() + " (run: tensorbridge doctor)";
        }
    }
}
