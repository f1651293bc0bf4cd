package io.kvindex.client;

import net.openhft.hashing.LongHashFunction;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlockHashingTest
{
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

    @Test
    void shouldMatchGoldenVector()
    {
        final long hash = BlockHashing.xxh3Seeded("test data".getBytes(StandardCharsets.US_ASCII));
        assertEquals("13226331709069118873", Long.toUnsignedString(hash));
    }

    @Test
    void shouldKeepDefaultSeedWithoutLoraName()
    {
        assertEquals(1337L, BlockHashing.SEED);
        assertEquals(BlockHashing.SEED, BlockHashing.loraSeed(null));
        assertEquals(BlockHashing.SEED, BlockHashing.loraSeed(""));
    }

    @Test
    void shouldSeedLoraWith1337PlusUnseededHashOfUtf8NameWrapping()
    {
        for (final String name : new String[]{ "my-adapter", "sql-lora", "adaptér-ü-日本", "a" })
        {
            final byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            final long nameHash = LongHashFunction.xx3(0L).hashBytes(utf8);
            final BigInteger expected = BigInteger.valueOf(1337L)
                .add(new BigInteger(Long.toUnsignedString(nameHash)))
                .mod(TWO_TO_64);

            final long seed = BlockHashing.loraSeed(name);

            assertEquals(expected.toString(), Long.toUnsignedString(seed), name);
            assertNotEquals(BlockHashing.SEED, seed, name);
        }
    }

    @Test
    void shouldUseUtf8NotPlatformBytesForLoraName()
    {
        final long utf8Seed = BlockHashing.SEED +
            LongHashFunction.xx3(0L).hashBytes(new byte[]{ 'c', 'a', 'f', (byte)0xC3, (byte)0xA9 });
        assertEquals(utf8Seed, BlockHashing.loraSeed("caf\u00e9"));
    }

    @Test
    void shouldChainSequenceHashOverTwoLittleEndianLongs()
    {
        final long previous = 0x8877665544332211L;
        final long local = -2L;
        final byte[] expected = new LittleEndianBytes().u64(previous).u64(local).toArray();
        assertEquals(16, expected.length);
        assertEquals((byte)0x11, expected[0]);
        assertEquals((byte)0xFE, expected[8]);

        assertEquals(BlockHashing.xxh3Seeded(expected), BlockHashing.sequenceHash(previous, local, new long[2]));
    }

    @Test
    void shouldReturnSharedFunctionForDefaultSeed()
    {
        assertTrue(BlockHashing.function(BlockHashing.SEED) == BlockHashing.function(1337L));
        final byte[] data = "test data".getBytes(StandardCharsets.US_ASCII);
        assertEquals(LongHashFunction.xx3(42L).hashBytes(data), BlockHashing.function(42L).hashBytes(data));
    }

    @Test
    void shouldParseFirstSixteenHexDigitsOfExtraKeyAsUnsigned()
    {
        final String key = "fedcba9876543210" + "0123456789abcdef".repeat(3);

        final long hash = BlockHashing.multimodalHashFromExtraKey(key);

        assertEquals(0xFEDCBA9876543210L, hash);
        assertEquals("18364758544493064720", Long.toUnsignedString(hash));
        assertTrue(BlockHashing.isMultimodalExtraKey(key));
    }

    @Test
    void shouldAcceptUpperCaseAndLeadingZerosInExtraKey()
    {
        assertEquals(0xABCDEFL, BlockHashing.multimodalHashFromExtraKey("0000000000ABCDEF" + "F".repeat(48)));
        assertEquals(0L, BlockHashing.multimodalHashFromExtraKey("0".repeat(64)));
        assertEquals(-1L, BlockHashing.multimodalHashFromExtraKey("f".repeat(64)));
    }

    @Test
    void shouldRejectMalformedExtraKey()
    {
        final String[] bad =
        {
            null,
            "",
            "0123456789abcdef",
            "0".repeat(63),
            "0".repeat(65),
            "g" + "0".repeat(63),
            "0".repeat(63) + "x",
            "0x" + "0".repeat(62),
            "\uff10".repeat(64),
            " " + "0".repeat(63),
        };
        for (final String key : bad)
        {
            assertFalse(BlockHashing.isMultimodalExtraKey(key), String.valueOf(key));
            final IllegalArgumentException ex = assertThrows(
                IllegalArgumentException.class, () -> BlockHashing.multimodalHashFromExtraKey(key));
            assertTrue(ex.getMessage().contains("64 hex digits"), ex.getMessage());
        }
    }

    @Test
    void shouldTruncateLongBadExtraKeyInMessage()
    {
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> BlockHashing.multimodalHashFromExtraKey("z".repeat(10_000)));
        assertTrue(ex.getMessage().length() < 200, ex.getMessage());
        assertTrue(ex.getMessage().contains("length 10000"), ex.getMessage());
    }

    @Test
    void shouldComputeSameLoraSeedFromBytesAsFromString()
    {
        final String name = "adapter-\u00e9";
        final byte[] utf8 = ("xx" + name).getBytes(StandardCharsets.UTF_8);
        assertEquals(BlockHashing.loraSeed(name), BlockHashing.loraSeed(utf8, 2, utf8.length - 2));
        assertEquals(BlockHashing.SEED, BlockHashing.loraSeed(utf8, 0, 0));
    }

    @Test
    void shouldParseExtraKeyFromBytesAsFromString()
    {
        final String key = "FEDCBA9876543210" + "0123456789abcdef".repeat(3);
        final byte[] ascii = (" " + key).getBytes(StandardCharsets.US_ASCII);
        assertTrue(BlockHashing.isMultimodalExtraKey(ascii, 1, 64));
        assertEquals(
            BlockHashing.multimodalHashFromExtraKey(key), BlockHashing.multimodalHashFromExtraKey(ascii, 1, 64));
        assertFalse(BlockHashing.isMultimodalExtraKey(ascii, 0, 64));
        assertFalse(BlockHashing.isMultimodalExtraKey(ascii, 1, 63));
        assertThrows(IllegalArgumentException.class, () -> BlockHashing.multimodalHashFromExtraKey(ascii, 0, 64));
    }
}
