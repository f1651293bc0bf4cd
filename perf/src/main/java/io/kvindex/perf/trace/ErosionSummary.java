package io.kvindex.perf.trace;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The headline of an erosion run: layout and speed in the first window (the layout mostly fresh), once eroded (the
 * last quarter of the windows, without compaction), and with compaction (the same last quarter), plus the turnover
 * at which the records' high water reached the capacity (freed records reused from then on) and what compaction
 * cost.
 */
final class ErosionSummary
{
    private static final String[] FIGURES =
    {
        "next_record_step_fraction", "branch_node_fraction", "find_matches_blocks_per_sec", "find_matches_p50_ns",
        "find_matches_p99_ns", "block_ops_per_sec"
    };

    private ErosionSummary()
    {
    }

    static Map<String, Object> of(
        final List<Map<String, Object>> plain,
        final List<Map<String, Object>> compacting,
        final long nodeCapacity,
        final boolean answersMatch,
        final boolean answersMatchEngines)
    {
        int full = 0;
        while (full < plain.size() &&
            ((Number)plain.get(full).get("record_high_water")).longValue() <= nodeCapacity)
        {
            full++;
        }
        final int tail = Math.max(1, plain.size() / 4);
        final Map<String, Object> s = new LinkedHashMap<>();
        s.put("records_full_at_turnover", full < plain.size() ? plain.get(full).get("turnover") : null);
        s.put("tail_windows", tail);
        for (final String figure : FIGURES)
        {
            s.put("first_" + figure, mean(plain, 0, 1, figure));
            s.put("eroded_" + figure, mean(plain, plain.size() - tail, plain.size(), figure));
            s.put("compacted_" + figure, mean(compacting, compacting.size() - tail, compacting.size(), figure));
        }
        final int compactions = compacting.isEmpty() ? 0 :
            ((Number)compacting.get(compacting.size() - 1).get("compactions")).intValue();
        double compactionMs = 0;
        for (final Map<String, Object> window : compacting)
        {
            compactionMs += ((Number)window.get("compaction_ms")).doubleValue();
        }
        s.put("compactions", compactions);
        s.put("compaction_ms_total", round(compactionMs));
        s.put("compaction_ms_mean", compactions > 0 ? round(compactionMs / compactions) : null);
        s.put("answers_match", answersMatch);
        s.put("answers_match_engines", answersMatchEngines);
        return s;
    }

    private static double mean(final List<Map<String, Object>> windows, final int from, final int to, final String key)
    {
        double sum = 0;
        int n = 0;
        for (int w = Math.max(0, from); w < to; w++)
        {
            final Object value = windows.get(w).get(key);
            if (value instanceof Number)
            {
                sum += ((Number)value).doubleValue();
                n++;
            }
        }
        return n > 0 ? round(sum / n) : Double.NaN;
    }

    private static double round(final double value)
    {
        return Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 10_000) / 10_000.0;
    }
}
