package io.kvindex.mockengine;

import org.junit.jupiter.api.Test;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MsgPackWriterTest
{
    @Test
    void shouldWriteIntegersInTheirShortestForm()
    {
        assertEquals("00", int64(0));
        assertEquals("7f", int64(127));
        assertEquals("cc80", int64(128));
        assertEquals("ccff", int64(255));
        assertEquals("cd0100", int64(256));
        assertEquals("cdffff", int64(65535));
        assertEquals("ce00010000", int64(65536));
        assertEquals("ceffffffff", int64(0xFFFF_FFFFL));
        assertEquals("cf0000000100000000", int64(0x1_0000_0000L));
        assertEquals("cf7fffffffffffffff", int64(Long.MAX_VALUE));
        assertEquals("ff", int64(-1));
        assertEquals("e0", int64(-32));
        assertEquals("d0df", int64(-33));
        assertEquals("d080", int64(-128));
        assertEquals("d1ff7f", int64(-129));
        assertEquals("d2ffff7fff", int64(Short.MIN_VALUE - 1L));
        assertEquals("d38000000000000000", int64(Long.MIN_VALUE));
    }

    @Test
    void shouldWriteUnsignedHashesAbove2Pow63AsUint64()
    {
        final MsgPackWriter writer = new MsgPackWriter(16);
        writer.uint64(-1L);
        writer.uint64(Long.MIN_VALUE);
        writer.uint64(5);
        assertEquals("cfffffffffffffffff" + "cf8000000000000000" + "05", hex(writer));
    }

    @Test
    void shouldWriteTokensAsIntegersWouldBe() throws IOException
    {
        final int[] tokens = { 0, 1, 127, 128, 255, 256, 32767, 65535, 65536, Integer.MAX_VALUE, -1 };
        final MsgPackWriter writer = new MsgPackWriter(1);
        writer.tokens(tokens, 0, tokens.length);
        final MsgPackWriter expected = new MsgPackWriter(1);
        for (final int token : tokens)
        {
            expected.int64(token);
        }
        assertEquals(hex(expected), hex(writer));
        try (MessageUnpacker in = MessagePack.newDefaultUnpacker(writer.buffer(), 0, writer.position()))
        {
            for (final int token : tokens)
            {
                assertEquals(token, in.unpackInt());
            }
        }
    }

    @Test
    void shouldWriteHeadersAndStringsThatMsgpackCoreReads() throws IOException
    {
        final MsgPackWriter writer = new MsgPackWriter(1);
        final int[] counts = { 0, 15, 16, 65535, 65536 };
        for (final int count : counts)
        {
            writer.arrayHeader(count);
            writer.mapHeader(Math.min(count, 65535));
            assertEquals(count < 16 ? 1 : count <= 65535 ? 3 : 5, MsgPackWriter.arrayHeaderLength(count));
        }
        final String[] strings = { "", "GPU", "a".repeat(31), "b".repeat(32), "c".repeat(255), "d".repeat(256) };
        for (final String text : strings)
        {
            writer.string(text.getBytes(StandardCharsets.US_ASCII));
        }
        writer.float64(1.5e9);
        writer.nil();
        try (MessageUnpacker in = MessagePack.newDefaultUnpacker(writer.buffer(), 0, writer.position()))
        {
            for (final int count : counts)
            {
                assertEquals(count, in.unpackArrayHeader());
                assertEquals(Math.min(count, 65535), in.unpackMapHeader());
            }
            for (final String text : strings)
            {
                assertEquals(text, in.unpackString());
            }
            assertEquals(1.5e9, in.unpackDouble());
            in.unpackNil();
        }
        assertEquals(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE), unsigned(-1L));
    }

    private static BigInteger unsigned(final long bits)
    {
        final MsgPackWriter writer = new MsgPackWriter(1);
        writer.uint64(bits);
        try (MessageUnpacker in = MessagePack.newDefaultUnpacker(writer.buffer(), 0, writer.position()))
        {
            return in.unpackBigInteger();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static String int64(final long value)
    {
        final MsgPackWriter writer = new MsgPackWriter(1);
        writer.int64(value);
        return hex(writer);
    }

    private static String hex(final MsgPackWriter writer)
    {
        return HexFormat.of().formatHex(Arrays.copyOf(writer.buffer(), writer.position()));
    }
}
