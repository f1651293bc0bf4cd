package io.kvindex.router;

import org.agrona.CloseHelper;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static io.kvindex.router.Prompts.prompt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Temperature above 0 samples from the softmax of {@code -(logit / (max - min)) / T}: observed frequencies over many
 * decisions (fixed seed) against the probabilities computed by hand, judged with a chi-square bound (2 degrees of
 * freedom, 13.82 at p = 0.001).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class SoftmaxSelectionTest
{
    private static final int SAMPLES = 30_000;
    private static final double CHI_SQUARE_2_DOF_P001 = 13.82;

    private final WorkerSet workers = new WorkerSet().add(Worker.of(1, 0)).add(Worker.of(2, 0)).add(Worker.of(3, 0));
    private final RoutingDecision decision = new RoutingDecision();
    private final RouteOverrides overrides = new RouteOverrides();
    private Router router;

    @AfterEach
    void after()
    {
        CloseHelper.close(router);
    }

    @Test
    void shouldSampleFromTheSoftmaxOfScaledLogits()
    {
        router = loadedRouter(0.0);
        // Decode blocks 10, 12 and 14: exponents -(10/4), -(12/4), -(14/4) at T = 1, i.e. 0, -0.5, -1 after the shift.
        final double[] expected = normalize(1.0, Math.exp(-0.5), Math.exp(-1.0));

        final int[] counts = sample(overrides.reset().overlapScoreWeight(0).temperature(1.0));

        assertChiSquare(expected, counts);
        assertEquals(10.0, decision.candidateLogit(0), 1e-9);
        assertEquals(14.0, decision.candidateLogit(2), 1e-9);
    }

    @Test
    void shouldSharpenAsTemperatureFalls()
    {
        router = loadedRouter(0.25);
        // T = 0.25 from the context: exponents 0, -2, -4.
        final double[] expected = normalize(1.0, Math.exp(-2.0), Math.exp(-4.0));

        final int[] counts = sample(overrides.reset().overlapScoreWeight(0));

        assertChiSquare(expected, counts);
        assertTrue(counts[0] > 0.85 * SAMPLES, "lowest logit share " + counts[0]);
    }

    @Test
    void shouldSampleUniformlyWhenAllLogitsAreEqual()
    {
        router = Router.launch(context(0.7));

        final int[] counts = sample(overrides.reset().overlapScoreWeight(0));

        assertChiSquare(new double[]{ 1.0 / 3, 1.0 / 3, 1.0 / 3 }, counts);
    }

    @Test
    void shouldRepeatTheSameChoicesWithTheSameSeed()
    {
        router = loadedRouter(1.0);
        final int[] first = new int[200];
        for (int i = 0; i < first.length; i++)
        {
            router.bestWorker(prompt(99, 10), 40, overrides.reset().overlapScoreWeight(0), null, decision);
            first[i] = (int)decision.workerId();
        }
        router.close();
        router = loadedRouter(1.0);
        for (int i = 0; i < first.length; i++)
        {
            router.bestWorker(prompt(99, 10), 40, overrides.reset().overlapScoreWeight(0), null, decision);
            assertEquals(first[i], decision.workerId(), "decision " + i);
        }
    }

    private Router loadedRouter(final double temperature)
    {
        final Router loaded = Router.launch(context(temperature));
        loaded.bestWorker(prompt(50, 2), 8, overrides.reset().forceWorker(2, 0), "load-2", decision);
        loaded.bestWorker(prompt(51, 4), 16, overrides.reset().forceWorker(3, 0), "load-3", decision);
        return loaded;
    }

    private int[] sample(final RouteOverrides requestOverrides)
    {
        final int[] counts = new int[3];
        final int[] tokens = prompt(99, 10);
        for (int i = 0; i < SAMPLES; i++)
        {
            router.bestWorker(tokens, tokens.length, requestOverrides, null, decision);
            counts[(int)decision.workerId() - 1]++;
        }
        return counts;
    }

    private RouterContext context(final double temperature)
    {
        return new RouterContext()
            .blockSize(Prompts.BLOCK_SIZE)
            .overlapScoreWeight(0)
            .temperature(temperature)
            .workerSet(workers)
            .nanoClock(new CachedNanoClock())
            .random(new SplittableRandom(7));
    }

    private static double[] normalize(final double... weights)
    {
        double sum = 0;
        for (final double w : weights)
        {
            sum += w;
        }
        final double[] p = new double[weights.length];
        for (int i = 0; i < p.length; i++)
        {
            p[i] = weights[i] / sum;
        }
        return p;
    }

    private static void assertChiSquare(final double[] expected, final int[] counts)
    {
        int total = 0;
        for (final int c : counts)
        {
            total += c;
        }
        double chiSquare = 0;
        for (int i = 0; i < counts.length; i++)
        {
            final double e = expected[i] * total;
            chiSquare += (counts[i] - e) * (counts[i] - e) / e;
        }
        assertTrue(chiSquare < CHI_SQUARE_2_DOF_P001, "chi-square " + chiSquare + " for counts " +
            Arrays.toString(counts) + " against " + Arrays.toString(expected));
    }
}
