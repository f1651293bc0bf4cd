package io.kvindex.client;

import java.util.Arrays;

/**
 * Builds the byte strings the hashing spec describes, one byte at a time, as an oracle independent of the code
 * under test.
 */
final class LittleEndianBytes
{
    private byte[] bytes = new byte[64];
    private int length;

    LittleEndianBytes u32(final int value)
    {
        ensure(Integer.BYTES);
        bytes[length++] = (byte)(value & 0xFF);
        bytes[length++] = (byte)((value >>> 8) & 0xFF);
        bytes[length++] = (byte)((value >>> 16) & 0xFF);
        bytes[length++] = (byte)((value >>> 24) & 0xFF);
        return this;
    }

    LittleEndianBytes u32s(final int[] values, final int offset, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            u32(values[offset + i]);
        }
        return this;
    }

    LittleEndianBytes u64(final long value)
    {
        ensure(Long.BYTES);
        for (int shift = 0; shift < Long.SIZE; shift += Byte.SIZE)
        {
            bytes[length++] = (byte)((value >>> shift) & 0xFF);
        }
        return this;
    }

    byte[] toArray()
    {
        return Arrays.copyOf(bytes, length);
    }

    private void ensure(final int extra)
    {
        if (length + extra > bytes.length)
        {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + extra));
        }
    }
}
