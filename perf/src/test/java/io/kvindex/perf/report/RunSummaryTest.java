package io.kvindex.perf.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RunSummaryTest
{
    @Test
    void shouldTakeTheMiddleValueOrTheMeanOfTheTwoMiddleOnes()
    {
        assertEquals(3.0, RunSummary.median(new double[]{9, 3, 1}));
        assertEquals(2.5, RunSummary.median(new double[]{4, 1, 3, 2}));
        assertEquals(7.0, RunSummary.median(new double[]{7}));
        assertTrue(Double.isNaN(RunSummary.median(new double[0])));
        final double[] values = {5, 1, 3};
        RunSummary.median(values);
        assertEquals("[5.0, 1.0, 3.0]", Arrays.toString(values), "input not reordered");
    }

    @Test
    void shouldFoldRunsIntoMediansWithTheSpreadOfKeyFigures()
    {
        final List<Map<String, Object>> runs = List.of(
            run(1_000_000L, 1200L, 8.03, true, "JDK 17"),
            run(3_000_000L, 1500L, 8.01, true, "JDK 17"),
            run(2_000_000L, 1100L, 8.07, false, "JDK 17"));

        final Map<String, Object> summary = RunSummary.summarize(runs, List.of("ops_per_sec", "p99_ns", "missing"));

        assertEquals(List.of("ops_per_sec", "p99_ns", "ratio", "answers_match", "machine", "reference", "runs",
            "spread"), List.copyOf(summary.keySet()), "first run's keys in order, then runs and spread");
        assertEquals(2_000_000L, summary.get("ops_per_sec"));
        assertEquals(1200L, summary.get("p99_ns"));
        assertEquals(8.03, summary.get("ratio"));
        assertFalse((Boolean)summary.get("answers_match"), "true only when every run says so");
        assertEquals("JDK 17", summary.get("machine"));
        assertNull(summary.get("reference"));
        assertEquals(3L, summary.get("runs"));

        @SuppressWarnings("unchecked")
        final Map<String, Object> spread = (Map<String, Object>)summary.get("spread");
        assertEquals(List.of("ops_per_sec", "p99_ns"), List.copyOf(spread.keySet()), "non-numeric keys have none");
        @SuppressWarnings("unchecked")
        final Map<String, Object> ops = (Map<String, Object>)spread.get("ops_per_sec");
        assertEquals(1_000_000L, ops.get("min"));
        assertEquals(3_000_000L, ops.get("max"));
        assertEquals(List.of(1_000_000L, 3_000_000L, 2_000_000L), ops.get("values"));
    }

    @Test
    void shouldKeepIntegersWholeAndRoundOtherMediansOfAnEvenCount()
    {
        final Map<String, Object> summary = RunSummary.summarize(
            List.of(run(1L, 1L, 455.05, true, "x"), run(2L, 2L, 455.04, true, "x")), List.of());

        assertEquals(2L, summary.get("ops_per_sec"), "1.5 rounds to a whole number");
        assertEquals(455.045, summary.get("ratio"));
        assertEquals(Map.of(), summary.get("spread"));
        assertThrows(IllegalArgumentException.class, () -> RunSummary.summarize(List.of(), List.of()));
    }

    @Test
    void shouldWriteJsonThatReadsBackTheSame()
    {
        final Map<String, Object> summary = RunSummary.summarize(
            List.of(run(5L, 7L, 1.25, true, "a \"quoted\"\\ name\n")), List.of("ops_per_sec"));

        final String json = JsonWriter.write(summary);

        assertEquals(summary, JsonReader.parse(json));
        final Map<String, Object> odd = new LinkedHashMap<>();
        odd.put("nan", Double.NaN);
        odd.put("list", List.of(1, 2.5, "x"));
        assertEquals("{\"nan\":null,\"list\":[1,2.5,\"x\"]}", JsonWriter.write(odd));
        assertEquals(List.of(1L, -2.5e-3, true, false), JsonReader.parse(" [1, -2.5e-3, true, false] "));
        assertThrows(IllegalArgumentException.class, () -> JsonReader.parse("{\"a\":1,}"));
        assertThrows(IllegalArgumentException.class, () -> JsonReader.parse("[1] 2"));
    }

    private static Map<String, Object> run(
        final long ops, final long p99, final double ratio, final boolean match, final String machine)
    {
        final Map<String, Object> run = new LinkedHashMap<>();
        run.put("ops_per_sec", ops);
        run.put("p99_ns", p99);
        run.put("ratio", ratio);
        run.put("answers_match", match);
        run.put("machine", machine);
        run.put("reference", null);
        return run;
    }
}
