package io.kvindex.perf.routing;

import io.kvindex.perf.trace.MooncakeTrace;
import io.kvindex.perf.trace.TraceFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The routing simulation behind {@code tools/demo} and {@code tools/perf routing}: kv routing reuses shared prefixes
 * that round-robin scatters, and a short demo run prints both policies.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class RoutingSimulationTest
{
    @Test
    void shouldReuseMorePrefixBlocksWithKvRoutingThanRoundRobin()
    {
        final StringBuilder jsonl = new StringBuilder();
        for (int r = 0; r < 400; r++)
        {
            final int conversation = r % 10;
            final int turns = 2 + (r / 10) % 6;
            jsonl.append("{\"timestamp\": ").append(r * 100).append(", \"input_length\": ").append(turns * 512)
                .append(", \"output_length\": 10, \"hash_ids\": [");
            for (int t = 0; t < turns; t++)
            {
                jsonl.append(0 == t ? "" : ", ").append(conversation * 100 + t);
            }
            jsonl.append("]}\n");
        }
        final MooncakeTrace trace = MooncakeTrace.parse(jsonl.toString());
        final RoutingSimulation simulation = new RoutingSimulation(trace, 400, 4, 256, 1, 20, 1);
        final RoutingSimulation.Result kv = simulation.run("kv");
        final RoutingSimulation.Result roundRobin = simulation.run("round_robin");
        assertEquals(400, kv.requests);
        assertEquals(400, kv.ttftMs.getTotalCount());
        assertTrue(kv.hitRate > roundRobin.hitRate, kv.hitRate + " vs " + roundRobin.hitRate);
        assertTrue(kv.hitRate > 0.5, "later turns reuse earlier ones: " + kv.hitRate);
    }

    @Test
    void shouldPrintKvBesideRoundRobinInAShortDemo() throws Exception
    {
        if (null == TraceFiles.conversationTrace())
        {
            return;
        }
        final PrintStream stdout = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try
        {
            RoutingDemo.main(new String[]{ "--minutes", "0.5" });
        }
        finally
        {
            System.setOut(stdout);
        }
        final String text = captured.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("kv ") && text.contains("round_robin "), text);
    }
}
