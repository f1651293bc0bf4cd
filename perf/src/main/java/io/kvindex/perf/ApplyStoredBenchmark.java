package io.kvindex.perf;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Stored events on a warm index of about 1M blocks, in blocks/s: each invocation stores one batch of 256 chains
 * of 16 new blocks (4096 blocks) under blocks their owners hold. Before each invocation, untimed, the batch
 * stored by the previous one is removed again, so the index stays at its warm size. Any status but OK fails
 * the run. Not final: JMH subclasses benchmark classes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 3, jvmArgs = { "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch" })
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class ApplyStoredBenchmark
{
    /** Index implementation, see {@link IndexFactory}. */
    @Param({ IndexFactory.OFF_HEAP, IndexFactory.REFERENCE })
    public String kind;

    /** Blocks (nodes) of the warm index. */
    @Param({ "1000000" })
    public int blocks;

    /** Owners' engine hashes: {@code shared} or {@code per-owner}. */
    @Param({ "shared" })
    public String engineHashes;

    private ApplyBatches batches;
    private int nextBatch;
    private int storedBatch = -1;
    private int failures;

    /**
     * Generate the workload and warm the index.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        batches = new ApplyBatches(kind, blocks, engineHashes);
        System.out.printf("%n%s: %s%n", kind, batches.describe());
    }

    /**
     * Untimed: remove the batch the previous invocation stored.
     */
    @Setup(Level.Invocation)
    public void removeStoredBatch()
    {
        if (storedBatch >= 0)
        {
            failures += batches.remove(storedBatch);
            storedBatch = -1;
        }
    }

    /**
     * Store one batch.
     *
     * @return failures so far, for the blackhole.
     */
    @Benchmark
    @OperationsPerInvocation(ApplyBatches.BATCH_BLOCKS)
    public int store()
    {
        final int batch = nextBatch;
        nextBatch = (batch + 1) % ApplyBatches.BATCHES;
        failures += batches.store(batch);
        storedBatch = batch;
        return failures;
    }

    /**
     * Fail the run if any event was refused.
     */
    @TearDown(Level.Iteration)
    public void checkFailures()
    {
        ApplyBatches.requireNoFailures(failures, "Stored/Removed");
    }

    /**
     * Check the index is back to the warm workload and release it.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        removeStoredBatch();
        batches.verifyAndClose();
    }
}
