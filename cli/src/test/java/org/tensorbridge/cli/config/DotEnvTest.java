package org.tensorbridge.cli.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A .env file is data: nothing in it is expanded or run. */
class DotEnvTest {
    @Test
    void keyValueLinesCommentsQuotesAndExport() {
        Map<String, String> env = DotEnv.parse("""
                # a comment
                TB_EPOCHS=3

                export TB_DEVICE = cpu   # trailing comment
                TB_OUT="runs/with space"
                TB_NOTE='single # not a comment'
                TB_ESCAPED="a \\"quoted\\" word\\nnext"
                TB_EMPTY=
                TB_HASH=a#b
                """, "test.env");
        assertEquals("3", env.get("TB_EPOCHS"));
        assertEquals("cpu", env.get("TB_DEVICE"));
        assertEquals("runs/with space", env.get("TB_OUT"));
        assertEquals("single # not a comment", env.get("TB_NOTE"));
        assertEquals("a \"quoted\" word\nnext", env.get("TB_ESCAPED"));
        assertEquals("", env.get("TB_EMPTY"));
        assertEquals("a#b", env.get("TB_HASH"));
        assertEquals(7, env.size(), env.toString());
    }

    @Test
    void shellSyntaxStaysLiteralTextAndNothingRuns(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("marker");
        Path file = dir.resolve(".env");
        Files.writeString(file, "TB_A=$(touch " + marker + ")\n"
                + "TB_B=`touch " + marker + "`\n"
                + "TB_C=\"$(touch " + marker + ")\"\n"
                + "TB_D=${HOME}/x $HOME\n"
                + "TB_E=x; touch " + marker + "\n");
        Map<String, String> env = DotEnv.read(file);
        assertEquals("$(touch " + marker + ")", env.get("TB_A"));
        assertEquals("`touch " + marker + "`", env.get("TB_B"));
        assertEquals("$(touch " + marker + ")", env.get("TB_C"));
        assertEquals("${HOME}/x $HOME", env.get("TB_D"));
        assertEquals("x; touch " + marker, env.get("TB_E"));
        assertFalse(Files.exists(marker), "no command ran");
    }

    @Test
    void malformedLinesAreRefusedWithTheirLineNumber() {
        IllegalArgumentException noEquals = assertThrows(IllegalArgumentException.class,
                () -> DotEnv.parse("TB_A=1\nrm -rf /\n", "x.env"));
        assertTrue(noEquals.getMessage().startsWith("x.env, line 2: 'rm -rf /' is not KEY=VALUE"), noEquals.getMessage());
        IllegalArgumentException badKey = assertThrows(IllegalArgumentException.class,
                () -> DotEnv.parse("1ABC=2\n", "x.env"));
        assertTrue(badKey.getMessage().contains("line 1") && badKey.getMessage().contains("not a valid key"),
                badKey.getMessage());
        IllegalArgumentException open = assertThrows(IllegalArgumentException.class,
                () -> DotEnv.parse("TB_A=\"never closed\n", "x.env"));
        assertTrue(open.getMessage().contains("never closed"), open.getMessage());
        IllegalArgumentException trailing = assertThrows(IllegalArgumentException.class,
                () -> DotEnv.parse("TB_A='x' y\n", "x.env"));
        assertTrue(trailing.getMessage().contains("after the closing quote"), trailing.getMessage());
    }
}
