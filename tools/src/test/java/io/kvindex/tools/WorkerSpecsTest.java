package io.kvindex.tools;

import io.kvindex.server.registry.WorkerRegistration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerSpecsTest
{
    private final WorkerSpecs specs = new WorkerSpecs("llama", "default", 16);

    @TempDir
    Path tempDir;

    @Test
    void shouldParseAListOfSpecsWithDefaults()
    {
        final List<WorkerRegistration> workers = specs.parse(
            "7@tcp://10.0.0.5:5557,replay=tcp://10.0.0.5:5558, 18446744073709551615@tcp://h2:6000,dp=3," +
            "block_size=32,model=qwen,tenant=acme,9@ipc:///tmp/e,replay_endpoint=ipc:///tmp/r,dp_rank=1");

        assertEquals(List.of(
            new WorkerRegistration(7, 0, "tcp://10.0.0.5:5557", "tcp://10.0.0.5:5558", 16, "llama", "default"),
            new WorkerRegistration(-1L, 3, "tcp://h2:6000", null, 32, "qwen", "acme"),
            new WorkerRegistration(9, 1, "ipc:///tmp/e", "ipc:///tmp/r", 16, "llama", null)), workers);
        assertTrue(specs.parse("").isEmpty());
    }

    @Test
    void shouldNameWhatIsWrongWithASpec()
    {
        assertMessage("bad worker item 'replay=tcp://h:1'", () -> specs.parse("replay=tcp://h:1"));
        assertMessage("unknown worker field 'colour'", () -> specs.parse("1@tcp://h:1,colour=red"));
        assertMessage("instance_id must be an unsigned 64-bit integer, got 'x'", () -> specs.parse("x@tcp://h:1"));
        assertMessage("dp_rank must be an integer >= 0, got '-1'", () -> specs.parse("1@tcp://h:1,dp=-1"));
        assertMessage("endpoint needs host:port", () -> specs.parse("1@tcp://h"));
        assertMessage("worker 1 names no model", () -> new WorkerSpecs(null, "default", 16).parse("1@tcp://h:1"));
    }

    @Test
    void shouldReadSpecsAndJsonLinesFromAFile() throws IOException
    {
        final Path file = tempDir.resolve("workers.txt");
        Files.writeString(file, String.join("\n",
            "# engines of pod a",
            "1@tcp://a:5557,replay=tcp://a:5558,2@tcp://a:5559",
            "",
            "{\"instance_id\": 3, \"endpoint\": \"tcp://b:5557\", \"replay_endpoint\": null, \"dp_rank\": 1, " +
                "\"block_size\": 64, \"model_name\": \"m\\u00e9\", \"tenant_id\": \"t\"}",
            "  {\"endpoint\":\"tcp://c:1\",\"instance_id\":4}"));

        assertEquals(List.of(
            new WorkerRegistration(1, 0, "tcp://a:5557", "tcp://a:5558", 16, "llama", null),
            new WorkerRegistration(2, 0, "tcp://a:5559", null, 16, "llama", null),
            new WorkerRegistration(3, 1, "tcp://b:5557", null, 64, "m\u00e9", "t"),
            new WorkerRegistration(4, 0, "tcp://c:1", null, 16, "llama", null)), specs.readFile(file));
    }

    @Test
    void shouldNameFileAndLineOfABadEntry() throws IOException
    {
        final Path file = tempDir.resolve("workers.jsonl");
        final String json = "{\"instance_id\": 2, \"endpoint\": [\"tcp://a:2\"]}";
        Files.writeString(file, "1@tcp://a:1\n" + json + "\n");

        assertMessage(file + " line 2: bad JSON at column " + (json.indexOf('[') + 1) +
            ": expected a string, number, boolean or null",
            () -> specs.readFile(file));
        assertMessage("cannot read workers file", () -> specs.readFile(tempDir.resolve("missing")));
        assertEquals(Map.of("a", "1", "b", "x\"y"), FlatJson.parse("{\"a\": 1, \"b\": \"x\\\"y\", \"c\": null}"));
        assertMessage("text after the object", () -> FlatJson.parse("{} x"));
    }

    private static void assertMessage(final String expected, final org.junit.jupiter.api.function.Executable call)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, call);
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
    }
}
