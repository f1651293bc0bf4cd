package io.kvindex.client;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BlockHashingTest
{
    @Test
    void shouldMatchGoldenVector()
    {
        final long hash = BlockHashing.xxh3Seeded("test data".getBytes(StandardCharsets.US_ASCII));
        assertEquals("13226331709069118873", Long.toUnsignedString(hash));
    }
}
