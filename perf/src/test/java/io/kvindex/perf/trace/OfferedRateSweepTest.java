package io.kvindex.perf.trace;

import io.kvindex.index.BlockIndex;
import io.kvindex.perf.IndexFactory;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pacing of the offered-rate sweep: the schedule, the stop rule, and a paced replay of a tiny stream.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OfferedRateSweepTest
{
    @Test
    void shouldScheduleOpsEvenlyAndMoveTheRestOnAfterAPause()
    {
        final RatePacer pacer = new RatePacer(1_000_000);
        pacer.start(5_000);

        assertEquals(5_000, pacer.intendedStart(0));
        assertEquals(6_000, pacer.intendedStart(1));
        assertEquals(5_000 + 2_500_000, pacer.intendedStart(2_500));
        pacer.pause(700);
        assertEquals(5_700, pacer.intendedStart(0));
        assertEquals(6_700, pacer.intendedStart(1));
        assertEquals(250_000.0, RatePacer.rate(250, 1_000_000));
        assertEquals(0.0, RatePacer.rate(250, 0));
        assertThrows(IllegalArgumentException.class, () -> new RatePacer(0));
    }

    @Test
    void shouldOfferSortedFractionsOfTheUnpacedRate()
    {
        final SweepPlan plan = SweepPlan.parse("150%, 10%,0.5");

        assertArrayEquals(new double[]{0.1, 0.5, 1.5}, plan.fractions());
        assertArrayEquals(new double[]{100, 500, 1500}, plan.offeredRates(1000), 1e-9);
        assertEquals(9, new SweepPlan(SweepPlan.DEFAULT_FRACTIONS).fractions().length);
        assertThrows(IllegalArgumentException.class, () -> SweepPlan.parse("0,50%"));
    }

    @Test
    void shouldCallALevelSaturatedWhenItFallsBehindOrItsTailExplodes()
    {
        assertNull(SweepPlan.saturation(1000, 990, 5_000, 2_000));
        assertTrue(SweepPlan.saturation(1000, 900, 5_000, 2_000).startsWith("achieved below offered"));
        assertNull(SweepPlan.saturation(1000, 1000, 19_000, 1_000), "below the floor of 20 us");
        assertTrue(SweepPlan.saturation(1000, 1000, 21_000, 1_000).startsWith("p99"));
        assertNull(SweepPlan.saturation(1000, 1000, 90_000, 10_000), "under 10x the first level");
        assertTrue(SweepPlan.saturation(1000, 1000, 110_000, 10_000).startsWith("p99"));
    }

    @Test
    void shouldReplayAtTheOfferedRateAndStopAtTheDeadline()
    {
        final ReplayStream stream = tinyStream(200);
        try (BlockIndex index = IndexFactory.create(IndexFactory.OFF_HEAP, 1024, 4))
        {
            final StreamReplayer replayer = new StreamReplayer(stream);
            final Histogram service = new Histogram(3);
            final Histogram response = new Histogram(3);
            final RatePacer pacer = new RatePacer(20_000);
            final long start = System.nanoTime();
            pacer.start(start);

            final int done = replayer.replayPaced(index, pacer, 0, start + 1_000_000_000L, service, response);
            final long took = System.nanoTime() - start;

            assertEquals(stream.ops(), done);
            assertEquals(stream.queries(), service.getTotalCount());
            assertEquals(stream.queries(), response.getTotalCount());
            assertTrue(took >= (stream.ops() - 1) * 50_000L, "paced at 50 us per op, took " + took + " ns");
            assertEquals(0, replayer.failedEvents());

            replayer.clear(index);
            final RatePacer slow = new RatePacer(1_000);
            final long restart = System.nanoTime();
            slow.start(restart);
            final int cut = replayer.replayPaced(index, slow, 0, restart + 20_000_000L, service, response);
            assertTrue(cut >= 15 && cut <= 22, "ops due within 20 ms at 1,000/s: " + cut);
        }
    }

    /**
     * Worker 0 stores chains of 4 blocks under the root, each followed by a query for it.
     */
    static ReplayStream tinyStream(final int ops)
    {
        final ReplayStream stream = new ReplayStream(1);
        final long[] hashes = new long[4];
        for (int i = 0; stream.ops() < ops; i++)
        {
            for (int b = 0; b < hashes.length; b++)
            {
                hashes[b] = Hashes.mix64(i * 16L + b + 1);
            }
            stream.addStored(0, false, 0, hashes, hashes, 0, hashes.length);
            stream.addQuery(hashes, hashes.length, 0, hashes.length);
        }
        return stream;
    }
}
