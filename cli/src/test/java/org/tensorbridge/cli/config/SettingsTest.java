package org.tensorbridge.cli.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.cli.UsageException;

class SettingsTest {
    @Test
    void flagBeatsEnvironmentBeatsDotEnvBeatsDefault() {
        Settings settings = new Settings(Map.of("TB_EPOCHS", "5", "TB_BATCH", "64"),
                Map.of("TB_EPOCHS", "7", "TB_BATCH", "32", "TB_LR", "0.5"), "my.env");
        assertEquals(3, settings.integer("epochs", 3, 8, 1));            // flag
        assertEquals(64, settings.integer("batch", null, 256, 1));       // environment over .env
        assertEquals(0.5, settings.number("lr", null, 2e-3));           // .env
        assertEquals("auto", settings.text("device", null, "auto"));    // default
        assertEquals(Map.of(
                "epochs", new Setting("epochs", "3", "--epochs"),
                "batch", new Setting("batch", "64", "environment TB_BATCH"),
                "lr", new Setting("lr", "0.5", "my.env TB_LR"),
                "device", new Setting("device", "auto", "default")),
                Map.copyOf(settings.effective().stream().collect(java.util.stream.Collectors.toMap(Setting::key, s -> s))));
        String described = settings.describe();
        assertTrue(described.startsWith("configuration:\n"), described);
        assertTrue(described.contains("batch  = 64  (environment TB_BATCH)"), described);
        assertTrue(described.contains("lr     = 0.5  (my.env TB_LR)"), described);
    }

    @Test
    void keysWithDashesUseUnderscoresAndEmptyVariablesDoNotCount() {
        Settings settings = new Settings(Map.of("TB_MAX_STEPS", "12", "TB_OUT", ""), Map.of("TB_OUT", "runs/x"), ".env");
        assertEquals("TB_MAX_STEPS", Settings.variable("max-steps"));
        assertEquals(12, settings.longValue("max-steps", null, 0, 0));
        assertEquals(Path.of("runs/x"), settings.path("out", null, Path.of("runs/train")));
    }

    @Test
    void badValuesNameTheirSource() {
        Settings settings = new Settings(Map.of("TB_BATCH", "0"), Map.of("TB_EPOCHS", "ten"), "/tmp/x.env");
        UsageException notANumber = assertThrows(UsageException.class, () -> settings.integer("epochs", null, 8, 1));
        assertEquals("epochs = ten (from /tmp/x.env TB_EPOCHS): needs a whole number, not 'ten'", notANumber.getMessage());
        UsageException tooSmall = assertThrows(UsageException.class, () -> settings.integer("batch", null, 256, 1));
        assertTrue(tooSmall.getMessage().contains("environment TB_BATCH") && tooSmall.getMessage().contains("at least 1"),
                tooSmall.getMessage());
        assertThrows(UsageException.class, () -> settings.number("lr", -1.0, 2e-3));
    }

    @Test
    void theDotEnvFileIsTheWorkingDirectorysOrTheOneNamed(@TempDir Path dir) throws Exception {
        assertEquals("default", Settings.load(Map.of(), dir, null).resolve("epochs", null, 8).source());
        Files.writeString(dir.resolve(".env"), "TB_EPOCHS=4\n");
        Settings local = Settings.load(Map.of(), dir, null);
        assertEquals(new Setting("epochs", "4", dir.resolve(".env") + " TB_EPOCHS"), local.resolve("epochs", null, 8));
        Path other = dir.resolve("other.env");
        Files.writeString(other, "TB_EPOCHS=6\n");
        assertEquals("6", Settings.load(Map.of(), dir, other).text("epochs", null, "8"));
        UsageException missing = assertThrows(UsageException.class,
                () -> Settings.load(Map.of(), dir, dir.resolve("missing.env")));
        assertTrue(missing.getMessage().contains("missing.env: no such file"), missing.getMessage());
    }
}
