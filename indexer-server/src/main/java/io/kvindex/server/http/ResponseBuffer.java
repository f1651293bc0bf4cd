package io.kvindex.server.http;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A growable byte buffer a response is written into before it is sent with its Content-Length; reused per thread,
 * and shrunk back after an unusually large response so that a thread does not keep it.
 */
final class ResponseBuffer extends OutputStream
{
    private static final int INITIAL_CAPACITY = 4096;
    private static final int RETAINED_CAPACITY = 1024 * 1024;

    private byte[] bytes = new byte[INITIAL_CAPACITY];
    private int size;

    ResponseBuffer reset()
    {
        if (bytes.length > RETAINED_CAPACITY)
        {
            bytes = new byte[INITIAL_CAPACITY];
        }
        size = 0;
        return this;
    }

    byte[] bytes()
    {
        return bytes;
    }

    int size()
    {
        return size;
    }

    @Override
    public void write(final int b)
    {
        ensure(1);
        bytes[size++] = (byte)b;
    }

    @Override
    public void write(final byte[] source, final int offset, final int length)
    {
        ensure(length);
        System.arraycopy(source, offset, bytes, size, length);
        size += length;
    }

    private void ensure(final int more)
    {
        if (size + more > bytes.length)
        {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
