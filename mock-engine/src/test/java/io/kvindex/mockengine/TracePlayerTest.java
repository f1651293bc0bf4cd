package io.kvindex.mockengine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.kvindex.mockengine.ZmqTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(30)
class TracePlayerTest
{
    @TempDir
    Path tempDir;

    @Test
    void shouldParseTraceLinesAndRejectMalformedOnes()
    {
        final TraceRequest request = TraceRequest.parse(
            "{\"timestamp\": 1500, \"input_length\": 700, \"output_length\": 12, \"hash_ids\": [4, 9]}");
        assertEquals(1500, request.timestampMs());
        assertEquals(12, request.outputLength());
        assertEquals(700, request.prompt().tokenCount());
        assertEquals(2, request.prompt().hashIdCount());
        assertArrayEquals(Prompt.ofTrace(700, 4, 9).toTokens(), request.prompt().toTokens());
        assertEquals(512, TraceRequest.parse(
            "{\"input_length\": 9000, \"output_length\": 1, \"hash_ids\": [4]}").prompt().tokenCount());
        for (final String bad : new String[]{ "nope", "[1]", "{\"input_length\": 1, \"output_length\": 1}",
            "{\"input_length\": -1, \"output_length\": 1, \"hash_ids\": []}",
            "{\"input_length\": 1, \"output_length\": 1, \"hash_ids\": [1.5]}",
            "{\"input_length\": 1, \"output_length\": 1, \"hash_ids\": [-3]}" })
        {
            assertThrows(IllegalArgumentException.class, () -> TraceRequest.parse(bad), bad);
        }
    }

    @Test
    void shouldReplayATraceFileIntoTheEngine() throws Exception
    {
        final Path trace = Files.writeString(tempDir.resolve("trace.jsonl"),
            "{\"timestamp\": 0, \"input_length\": 1100, \"output_length\": 3, \"hash_ids\": [0, 1, 2]}\n" +
            "\n" +
            "{\"timestamp\": 20, \"input_length\": 1600, \"output_length\": 3, \"hash_ids\": [0, 1, 2, 3]}\n" +
            "not json\n" +
            "{\"timestamp\": 40, \"input_length\": 600, \"output_length\": 3, \"hash_ids\": [0, 5]}\n");
        try (MockEngine engine = MockEngine.launch(MockEngineTest.context().blockSize(16).capacityBlocks(1024));
            TracePlayer player = new TracePlayer(engine, trace, 10, TracePlayer.DEFAULT_MAX_PENDING).start())
        {
            await(() -> player.isDone() && player.admitted() == 3, "trace not replayed");
            assertEquals(3, player.submitted());
            assertEquals(1, player.malformedLines());
            assertEquals(0, player.failed());
            assertNull(player.error());
            assertEquals(3, engine.query(EngineSimulation::requests).get());
            assertEquals(68 + 32 + 5, engine.query(EngineSimulation::storedBlocks).get(),
                "68 blocks, then the 100 of ids 0-3 under them, then 5 of id 5 under id 0");
            assertEquals(68 + 32, engine.query(EngineSimulation::hitBlocks).get());
        }
    }
}
