package org.tensorbridge.cli.config;

/** One effective setting: its value as text and where it came from ("--epochs", "TB_EPOCHS", ".env", "default"). */
public record Setting(String key, String value, String source) {
}
