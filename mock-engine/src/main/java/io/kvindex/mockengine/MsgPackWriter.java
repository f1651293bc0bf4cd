package io.kvindex.mockengine;

import java.util.Arrays;

/**
 * Writes the few msgpack types engine KV events use into a growable byte array, each in its shortest form as
 * msgspec (vLLM's encoder) writes it: non-negative integers as positive fixint or uint8..uint64, negative ones as
 * negative fixint or int8..int64, floats as float64. Nothing is allocated unless the array must grow.
 */
final class MsgPackWriter
{
    private static final int NIL = 0xc0;
    private static final int FLOAT64 = 0xcb;
    private static final int UINT8 = 0xcc;
    private static final int UINT16 = 0xcd;
    private static final int UINT32 = 0xce;
    private static final int UINT64 = 0xcf;
    private static final int INT8 = 0xd0;
    private static final int INT16 = 0xd1;
    private static final int INT32 = 0xd2;
    private static final int INT64 = 0xd3;
    private static final int STR8 = 0xd9;
    private static final int STR16 = 0xda;
    private static final int ARRAY16 = 0xdc;
    private static final int ARRAY32 = 0xdd;
    private static final int MAP16 = 0xde;
    private static final int FIX_ARRAY = 0x90;
    private static final int FIX_MAP = 0x80;
    private static final int FIX_STR = 0xa0;

    private byte[] buffer;
    private int position;

    MsgPackWriter(final int initialCapacity)
    {
        buffer = new byte[Math.max(64, initialCapacity)];
    }

    byte[] buffer()
    {
        return buffer;
    }

    int position()
    {
        return position;
    }

    void position(final int position)
    {
        ensure(position - this.position);
        this.position = position;
    }

    /**
     * Make room for some bytes and move past them; the caller fills them in the returned buffer, ending at
     * {@link #position()}, and may scribble on up to {@code slack} bytes after them.
     */
    byte[] reserve(final int bytes, final int slack)
    {
        ensure(bytes + slack);
        position += bytes;
        return buffer;
    }

    void nil()
    {
        ensure(1);
        buffer[position++] = (byte)NIL;
    }

    void float64(final double value)
    {
        ensure(9);
        buffer[position] = (byte)FLOAT64;
        putLong(position + 1, Double.doubleToLongBits(value));
        position += 9;
    }

    /**
     * A signed 64-bit integer: uint forms when it is non-negative, int forms when it is negative.
     */
    void int64(final long value)
    {
        if (value >= 0)
        {
            uint64(value);
        }
        else
        {
            negative(value);
        }
    }

    /**
     * An unsigned 64-bit integer given as its bits: values of 2^63 and above are written as uint64.
     */
    void uint64(final long value)
    {
        ensure(9);
        final byte[] b = buffer;
        final int p = position;
        if (value >= 0 && value < 128)
        {
            b[p] = (byte)value;
            position = p + 1;
        }
        else if (value >= 0 && value <= 0xFF)
        {
            b[p] = (byte)UINT8;
            b[p + 1] = (byte)value;
            position = p + 2;
        }
        else if (value >= 0 && value <= 0xFFFF)
        {
            b[p] = (byte)UINT16;
            b[p + 1] = (byte)(value >>> 8);
            b[p + 2] = (byte)value;
            position = p + 3;
        }
        else if (value >= 0 && value <= 0xFFFF_FFFFL)
        {
            b[p] = (byte)UINT32;
            putInt(p + 1, (int)value);
            position = p + 5;
        }
        else
        {
            b[p] = (byte)UINT64;
            putLong(p + 1, value);
            position = p + 9;
        }
    }

    private void negative(final long value)
    {
        ensure(9);
        final byte[] b = buffer;
        final int p = position;
        if (value >= -32)
        {
            b[p] = (byte)value;
            position = p + 1;
        }
        else if (value >= Byte.MIN_VALUE)
        {
            b[p] = (byte)INT8;
            b[p + 1] = (byte)value;
            position = p + 2;
        }
        else if (value >= Short.MIN_VALUE)
        {
            b[p] = (byte)INT16;
            b[p + 1] = (byte)(value >>> 8);
            b[p + 2] = (byte)value;
            position = p + 3;
        }
        else if (value >= Integer.MIN_VALUE)
        {
            b[p] = (byte)INT32;
            putInt(p + 1, (int)value);
            position = p + 5;
        }
        else
        {
            b[p] = (byte)INT64;
            putLong(p + 1, value);
            position = p + 9;
        }
    }

    /**
     * Token ids in their shortest forms (at most 5 bytes each).
     */
    void tokens(final int[] tokens, final int offset, final int count)
    {
        ensure(count * 5);
        byte[] b = buffer;
        int p = position;
        for (int i = offset, end = offset + count; i < end; i++)
        {
            final int token = tokens[i];
            if (token >= 0 && token < 128)
            {
                b[p++] = (byte)token;
            }
            else if (token > 0xFF && token <= 0xFFFF)
            {
                b[p] = (byte)UINT16;
                b[p + 1] = (byte)(token >>> 8);
                b[p + 2] = (byte)token;
                p += 3;
            }
            else
            {
                position = p;
                int64(token);
                p = position;
                b = buffer;
            }
        }
        position = p;
    }

    /**
     * A string of ASCII bytes, given pre-encoded.
     */
    void string(final byte[] ascii)
    {
        final int length = ascii.length;
        ensure(length + 3);
        if (length < 32)
        {
            buffer[position++] = (byte)(FIX_STR | length);
        }
        else if (length <= 0xFF)
        {
            buffer[position++] = (byte)STR8;
            buffer[position++] = (byte)length;
        }
        else
        {
            buffer[position++] = (byte)STR16;
            buffer[position++] = (byte)(length >>> 8);
            buffer[position++] = (byte)length;
        }
        System.arraycopy(ascii, 0, buffer, position, length);
        position += length;
    }

    void arrayHeader(final int count)
    {
        ensure(5);
        if (count < 16)
        {
            buffer[position++] = (byte)(FIX_ARRAY | count);
        }
        else if (count <= 0xFFFF)
        {
            buffer[position] = (byte)ARRAY16;
            buffer[position + 1] = (byte)(count >>> 8);
            buffer[position + 2] = (byte)count;
            position += 3;
        }
        else
        {
            buffer[position] = (byte)ARRAY32;
            putInt(position + 1, count);
            position += 5;
        }
    }

    void mapHeader(final int count)
    {
        ensure(3);
        if (count < 16)
        {
            buffer[position++] = (byte)(FIX_MAP | count);
        }
        else
        {
            buffer[position] = (byte)MAP16;
            buffer[position + 1] = (byte)(count >>> 8);
            buffer[position + 2] = (byte)count;
            position += 3;
        }
    }

    /**
     * Bytes an array header of a count takes.
     */
    static int arrayHeaderLength(final int count)
    {
        return count < 16 ? 1 : count <= 0xFFFF ? 3 : 5;
    }

    private void putInt(final int at, final int value)
    {
        buffer[at] = (byte)(value >>> 24);
        buffer[at + 1] = (byte)(value >>> 16);
        buffer[at + 2] = (byte)(value >>> 8);
        buffer[at + 3] = (byte)value;
    }

    private void putLong(final int at, final long value)
    {
        putInt(at, (int)(value >>> 32));
        putInt(at + 4, (int)value);
    }

    private void ensure(final int more)
    {
        final int needed = position + more;
        if (needed > buffer.length)
        {
            buffer = Arrays.copyOf(buffer, Math.max(needed, buffer.length * 2));
        }
    }
}
