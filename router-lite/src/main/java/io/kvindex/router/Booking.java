package io.kvindex.router;

/**
 * One booked request: the worker it went to, its sequence hashes (the blocks it holds there) and the prefill tokens
 * it adds until its prefill completes. Pooled and reused; linked in booking order for expiry.
 */
final class Booking
{
    String requestId;
    WorkerState worker;
    long[] sequenceHashes = new long[64];
    int blockCount;
    long prefillTokens;
    long deadlineNs;
    Booking previous;
    Booking next;

    void hashes(final long[] hashes, final int count)
    {
        if (count > sequenceHashes.length)
        {
            sequenceHashes = new long[Math.max(count, sequenceHashes.length * 2)];
        }
        System.arraycopy(hashes, 0, sequenceHashes, 0, count);
        blockCount = count;
    }

    void clear()
    {
        requestId = null;
        worker = null;
        blockCount = 0;
        prefillTokens = 0;
        previous = null;
        next = null;
    }
}
