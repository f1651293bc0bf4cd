package io.kvindex.perf.trace;

import io.kvindex.index.BlockIndex;
import io.kvindex.perf.IndexFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceReplayTest
{
    private static MooncakeTrace firstLines(final int lines) throws IOException
    {
        final Path file = TraceFiles.conversationTrace();
        if (null == file)
        {
            System.err.println("TraceReplayTest: skipped, " + TraceFiles.CONVERSATION_TRACE + " not found");
        }
        Assumptions.assumeTrue(null != file, "Mooncake trace not found");
        return MooncakeTrace.load(file, lines);
    }

    @Test
    void shouldReplayTheSameAnswersOnBothIndexesAsTheEnginesHold() throws IOException
    {
        final MooncakeTrace trace = firstLines(200);
        final ReplayStream stream = TraceReplay.record(trace, 32, 16, 256, 32, null);

        assertTrue(stream.removedBlocks() > 0, "small engines must evict");
        assertEquals(2 * 200, stream.queries() + skippedQueries(trace));
        final long[] offHeap = replay(IndexFactory.OFF_HEAP, stream);
        final long[] reference = replay(IndexFactory.REFERENCE, stream);

        assertArrayEquals(reference, offHeap);
        for (int q = 0; q < stream.queries(); q++)
        {
            assertEquals(stream.expectedDigest(q), offHeap[q], "query " + q);
        }
    }

    @Test
    void shouldRecordTheSameStreamTwice() throws IOException
    {
        final MooncakeTrace trace = firstLines(50);
        final ReplayStream a = TraceReplay.record(trace, 16, 16, 128, 32, null);
        final ReplayStream b = TraceReplay.record(trace, 16, 16, 128, 32, null);

        assertEquals(a.ops(), b.ops());
        assertEquals(a.blockOps(), b.blockOps());
        for (int q = 0; q < a.queries(); q++)
        {
            assertEquals(a.expectedDigest(q), b.expectedDigest(q));
        }
    }

    private static int skippedQueries(final MooncakeTrace trace)
    {
        int skipped = 0;
        for (int r = 0; r < trace.requestCount(); r++)
        {
            skipped += trace.fullBlocks(r) == 0 ? 2 : 0;
        }
        return skipped;
    }

    private static long[] replay(final String kind, final ReplayStream stream)
    {
        try (BlockIndex index = IndexFactory.create(kind, stream.storedBlocks() + 16, stream.workers()))
        {
            final StreamReplayer replayer = new StreamReplayer(stream);
            final long[] digests = new long[stream.queries()];
            replayer.replay(index, null, digests);
            assertEquals(0, replayer.failedEvents());
            replayer.clear(index);
            final long[] again = new long[stream.queries()];
            replayer.replay(index, null, again);
            assertArrayEquals(digests, again, "a pass after clearing answers the same");
            return digests;
        }
    }
}
