package io.kvindex.http;

import java.io.IOException;
import java.io.InputStream;

/**
 * A request body that counts what it reads and fails with {@link BodyTooLargeException} past a limit, so that a
 * chunked body (no Content-Length) is bounded too. Reused per thread: {@link #wrap} starts a new body.
 */
public final class BoundedInputStream extends InputStream
{
    private InputStream in;
    private long limit;
    private long count;

    /**
     * Start a new body.
     *
     * @param in    the body as received.
     * @param limit most bytes it may have.
     * @return this.
     */
    public BoundedInputStream wrap(final InputStream in, final long limit)
    {
        this.in = in;
        this.limit = limit;
        this.count = 0;
        return this;
    }

    /**
     * Read and drop the rest of a body, bounded in bytes and time, before answering 413, so that the client reads
     * the answer rather than a reset connection; the server should close the connection after it.
     *
     * @param in         the body.
     * @param limitBytes most bytes to read.
     * @param limitNs    most time to spend.
     */
    public static void drain(final InputStream in, final long limitBytes, final long limitNs)
    {
        final byte[] scratch = new byte[64 * 1024];
        final long deadlineNs = System.nanoTime() + limitNs;
        long drained = 0;
        try
        {
            int n;
            while (drained < limitBytes && System.nanoTime() - deadlineNs < 0 && (n = in.read(scratch)) > 0)
            {
                drained += n;
            }
        }
        catch (final IOException ignore)
        {
            // The client went away: nothing more to do.
        }
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
