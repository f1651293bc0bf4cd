package io.kvindex.perf.trace;

import io.kvindex.client.BlockHasher;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MooncakeTraceTest
{
    private static final String SAMPLE =
        "{\"timestamp\": 0, \"input_length\": 1100, \"output_length\": 7, \"hash_ids\": [0, 1, 2]}\n" +
        "\n" +
        "{\"hash_ids\":[0,1,5,6],\"timestamp\":27,\"output_length\":3,\"input_length\":2048}\n";

    @Test
    void shouldParseFieldsInAnyOrder()
    {
        final MooncakeTrace trace = MooncakeTrace.parse(SAMPLE);

        assertEquals(2, trace.requestCount());
        assertEquals(27, trace.timestampMs(1));
        assertEquals(1100, trace.inputLength(0));
        assertEquals(3, trace.outputLength(1));
        assertEquals(4, trace.hashIdCount(1));
        assertEquals(6, trace.hashId(1, 3));
        assertEquals(6, trace.maxHashId());
    }

    @Test
    void shouldHashOnlyFullBlocksFromTokensOfTheHashId()
    {
        final MooncakeTrace trace = MooncakeTrace.parse(SAMPLE);
        final long[] first = new long[4];
        final long[] second = new long[4];

        assertEquals(2, trace.localHashes(0, 0, first));
        assertEquals(4, trace.localHashes(1, 0, second));
        assertEquals(first[0], second[0]);
        assertEquals(first[1], second[1]);
        final int[] tokens = new int[MooncakeTrace.BLOCK_SIZE];
        MooncakeTrace.tokens(1, tokens);
        assertEquals(new BlockHasher(MooncakeTrace.BLOCK_SIZE).localHash(tokens, 0), first[1]);
    }

    @Test
    void shouldGiveOtherGroupsOtherHashes()
    {
        final MooncakeTrace trace = MooncakeTrace.parse(SAMPLE);
        final long[] group0 = new long[4];
        final long[] group1 = new long[4];
        final long[] again = new long[4];

        trace.localHashes(1, 0, group0);
        trace.localHashes(1, 1, group1);
        trace.localHashes(1, 1, again);

        assertNotEquals(group0[0], group1[0]);
        assertEquals(group1[3], again[3]);
    }

    @Test
    void shouldRejectMalformedLineWithItsNumber()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> MooncakeTrace.parse("{\"timestamp\": 0, \"input_length\": 5, \"output_length\": 1}\n"));

        assertEquals(true, ex.getMessage().contains("line 1"), ex.getMessage());
    }
}
