package io.kvindex.perf.e2e;

import io.kvindex.client.OverlapStatus;
import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one phase (or its warm-up) measured: the latency of every answer from the query's intended send time
 * (coordinated omission corrected), and counts of what was sent and how it was answered. Written by the load thread
 * only; {@link #sentSoFar()} and {@link #answeredSoFar()} may be read from another thread for progress lines.
 */
final class PhaseResult
{
    private static final long HIGHEST_TRACKABLE_NS = TimeUnit.MINUTES.toNanos(10);

    private final String name;
    private final Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NS, 3);
    private final AtomicLong sentSoFar = new AtomicLong();
    private final AtomicLong answeredSoFar = new AtomicLong();
    private long startNs;
    private long endNs;
    private long lastAnswerNs;
    private long sent;
    private long answered;
    private long ok;
    private long empty;
    private long mismatched;
    private long unknownIndex;
    private long badRequest;
    private long overload;
    private long serverError;
    private long timeouts;
    private long unsent;
    private long gcCount;
    private long gcMillis;

    PhaseResult(final String name)
    {
        this.name = name;
    }

    String name()
    {
        return name;
    }

    void start(final long nowNs)
    {
        startNs = nowNs;
        lastAnswerNs = nowNs;
    }

    void end(final long nowNs, final long unsent)
    {
        endNs = nowNs;
        this.unsent = unsent;
    }

    void gc(final long count, final long millis)
    {
        gcCount = count;
        gcMillis = millis;
    }

    void onSent()
    {
        sentSoFar.lazySet(++sent);
    }

    /**
     * An answer arrived (whatever its status): its latency from the query's intended send time.
     */
    void onAnswer(final long intendedNs, final long nowNs, final OverlapStatus status)
    {
        histogram.recordValue(Math.min(Math.max(0, nowNs - intendedNs), HIGHEST_TRACKABLE_NS));
        lastAnswerNs = nowNs;
        answeredSoFar.lazySet(++answered);
        switch (status)
        {
            case OK -> ok++;
            case UNKNOWN_INDEX -> unknownIndex++;
            case BAD_REQUEST -> badRequest++;
            case OVERLOAD -> overload++;
            default -> serverError++;
        }
    }

    /**
     * An OK answer's content: no owner at all, or not what the index holds.
     */
    void onContent(final boolean isEmpty, final boolean isMismatched)
    {
        empty += isEmpty ? 1 : 0;
        mismatched += isMismatched ? 1 : 0;
    }

    void onTimeout()
    {
        timeouts++;
    }

    Histogram histogram()
    {
        return histogram;
    }

    long sentSoFar()
    {
        return sentSoFar.get();
    }

    long answeredSoFar()
    {
        return answeredSoFar.get();
    }

    long sent()
    {
        return sent;
    }

    long answered()
    {
        return answered;
    }

    long ok()
    {
        return ok;
    }

    long empty()
    {
        return empty;
    }

    long mismatched()
    {
        return mismatched;
    }

    long unknownIndex()
    {
        return unknownIndex;
    }

    long badRequest()
    {
        return badRequest;
    }

    long overload()
    {
        return overload;
    }

    long serverError()
    {
        return serverError;
    }

    long errors()
    {
        return unknownIndex + badRequest + overload + serverError;
    }

    long timeouts()
    {
        return timeouts;
    }

    /**
     * Queries sent and neither answered nor timed out (yet): still in flight when the phase ended, or dropped when
     * the client closed.
     */
    long unanswered()
    {
        return sent - answered - timeouts;
    }

    long unsent()
    {
        return unsent;
    }

    long gcCount()
    {
        return gcCount;
    }

    long gcMillis()
    {
        return gcMillis;
    }

    long elapsedNs()
    {
        return endNs - startNs;
    }

    /**
     * Answers per second, from the phase start to the last answer.
     */
    double achievedRate()
    {
        final long ns = lastAnswerNs - startNs;
        return ns > 0 ? answered * 1e9 / ns : 0;
    }

    /**
     * Whether every query sent was answered OK, in time, with the content expected.
     */
    boolean clean()
    {
        return answered == sent && ok == answered && 0 == mismatched && 0 == timeouts && 0 == unsent;
    }

    /**
     * A value of the distribution in microseconds, rounded to 0.01.
     */
    double percentileUs(final double percentile)
    {
        return 0 == histogram.getTotalCount() ? 0 : roundUs(histogram.getValueAtPercentile(percentile));
    }

    double maxUs()
    {
        return 0 == histogram.getTotalCount() ? 0 : roundUs(histogram.getMaxValue());
    }

    static double roundUs(final double nanos)
    {
        return Math.round(nanos / 10.0) / 100.0;
    }
}
