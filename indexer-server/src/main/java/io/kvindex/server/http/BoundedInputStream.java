package io.kvindex.server.http;

import java.io.IOException;
import java.io.InputStream;

/**
 * A request body that counts what it reads and fails with {@link BodyTooLargeException} past a limit, so that a
 * chunked body (no Content-Length) is bounded too. Reused per thread: {@link #wrap} starts a new body.
 */
final class BoundedInputStream extends InputStream
{
    private InputStream in;
    private long limit;
    private long count;

    BoundedInputStream wrap(final InputStream in, final long limit)
    {
        this.in = in;
        this.limit = limit;
        this.count = 0;
        return this;
    }

    @Override
    public int read() throws IOException
    {
        final int b = in.read();
        if (b >= 0)
        {
            advance(1);
        }
        return b;
    }

    @Override
    public int read(final byte[] buffer, final int offset, final int length) throws IOException
    {
        final int n = in.read(buffer, offset, (int)Math.min(length, limit - count + 1));
        if (n > 0)
        {
            advance(n);
        }
        return n;
    }

    @Override
    public void close()
    {
        in = null;
    }

    private void advance(final int n) throws BodyTooLargeException
    {
        count += n;
        if (count > limit)
        {
            throw new BodyTooLargeException(limit);
        }
    }
}
