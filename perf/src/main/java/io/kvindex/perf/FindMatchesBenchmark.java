package io.kvindex.perf;

import io.kvindex.index.BlockIndex;
import io.kvindex.index.OverlapScores;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * {@code findMatches} on a warm index of about 1M blocks from {@link SharingWorkload}, one 64-block query per
 * operation, cycling through 8192 precomputed queries whose answers are checked once in setup.
 * <ul>
 *     <li>{@code findMatches}: queries/s, and {@code findMatches:walkedBlocks} = blocks/s, counting per query
 *     the blocks a walk visits (the most leading blocks any owner holds; the mean is printed in setup).</li>
 *     <li>{@code findMatchesTime}: ns per query.</li>
 *     <li>{@code findMatchesLatency}: ns per query as a distribution (p50, p99, p99.9).</li>
 * </ul>
 * Not final: JMH subclasses benchmark classes.
 */
@State(Scope.Thread)
@Fork(value = 3, jvmArgs = { "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch" })
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class FindMatchesBenchmark
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

    private BlockIndex index;
    private long[][] queries;
    private int[] walkedBlocks;
    private int queryBlocks;
    private int queryMask;
    private int next;
    private OverlapScores scores;

    /**
     * Blocks visited by the queries run, reported by JMH as a rate.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Walked
    {
        /** Walked blocks in this iteration. */
        public long walkedBlocks;

        /**
         * Start an iteration from zero.
         */
        @Setup(Level.Iteration)
        public void reset()
        {
            walkedBlocks = 0;
        }
    }

    /**
     * Generate the workload, warm the index, check every query's answer.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final SharingWorkload workload = new SharingWorkload(Workloads.context(blocks, engineHashes));
        index = IndexFactory.create(kind, workload.capacityHint(), workload.owners());
        workload.populate(index);
        workload.verify(index);
        queries = workload.queries();
        walkedBlocks = workload.walkedBlocks();
        queryBlocks = workload.context().queryBlocks();
        queryMask = Workloads.powerOfTwoMask(queries.length);
        scores = new OverlapScores(workload.owners());
        System.out.printf("%n%s: %s%n", kind, workload.describe());
    }

    /**
     * Release the index.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        index.close();
    }

    /**
     * One query; queries/s, and walked blocks/s in the secondary result.
     *
     * @param walked counts walked blocks.
     * @return owners scored, for the blackhole.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public int findMatches(final Walked walked)
    {
        final int q = next;
        next = (q + 1) & queryMask;
        index.findMatches(queries[q], queryBlocks, scores);
        walked.walkedBlocks += walkedBlocks[q];
        return scores.size();
    }

    /**
     * One query; mean ns per query.
     *
     * @return owners scored, for the blackhole.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int findMatchesTime()
    {
        final int q = next;
        next = (q + 1) & queryMask;
        index.findMatches(queries[q], queryBlocks, scores);
        return scores.size();
    }

    /**
     * One query; the distribution of ns per query.
     *
     * @return owners scored, for the blackhole.
     */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int findMatchesLatency()
    {
        final int q = next;
        next = (q + 1) & queryMask;
        index.findMatches(queries[q], queryBlocks, scores);
        return scores.size();
    }
}
