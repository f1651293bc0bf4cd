package io.kvindex.server.feed;

import java.util.Arrays;

/**
 * A bounded FIFO of live batches a feed holds while a replay runs or the ring is full: their seq and a copy of their
 * payload, packed in one byte array. Bounded by a count and a byte budget; storage grows up to the budget and is then
 * reused, so steady state allocates nothing. Used by one thread.
 */
final class HeldBatches
{
    private final int maxBatches;
    private final int maxBytes;
    private long[] seqs;
    private int[] offsets;
    private int[] lengths;
    private byte[] bytes;
    private int head;
    private int tail;
    private int bytesStart;
    private int bytesEnd;

    HeldBatches(final int maxBatches, final int maxBytes)
    {
        this.maxBatches = maxBatches;
        this.maxBytes = maxBytes;
        final int initial = Math.min(maxBatches, 64);
        seqs = new long[initial];
        offsets = new int[initial];
        lengths = new int[initial];
        bytes = new byte[Math.min(maxBytes, 64 * 1024)];
    }

    /**
     * Append a batch at the tail.
     *
     * @return false when the count or the byte budget would be exceeded (nothing is added).
     */
    boolean add(final long seq, final byte[] payload, final int length)
    {
        if (tail - head >= maxBatches || (long)(bytesEnd - bytesStart) + length > maxBytes)
        {
            return false;
        }
        if (tail == seqs.length)
        {
            compactEntries();
        }
        if (bytesEnd + length > bytes.length)
        {
            compactBytes();
            if (bytesEnd + length > bytes.length)
            {
                bytes = Arrays.copyOf(bytes, (int)Math.min(maxBytes, Math.max(bytesEnd + (long)length,
                    2L * bytes.length)));
            }
        }
        System.arraycopy(payload, 0, bytes, bytesEnd, length);
        seqs[tail] = seq;
        offsets[tail] = bytesEnd;
        lengths[tail] = length;
        tail++;
        bytesEnd += length;
        return true;
    }

    boolean isEmpty()
    {
        return head == tail;
    }

    int size()
    {
        return tail - head;
    }

    long headSeq()
    {
        return seqs[head];
    }

    int headLength()
    {
        return lengths[head];
    }

    /**
     * Copy the head's payload into a buffer at least {@link #headLength()} long.
     */
    void copyHead(final byte[] into)
    {
        System.arraycopy(bytes, offsets[head], into, 0, lengths[head]);
    }

    void removeHead()
    {
        head++;
        if (head == tail)
        {
            clear();
        }
        else
        {
            bytesStart = offsets[head];
        }
    }

    void clear()
    {
        head = 0;
        tail = 0;
        bytesStart = 0;
        bytesEnd = 0;
    }

    private void compactEntries()
    {
        final int size = tail - head;
        if (head > 0)
        {
            System.arraycopy(seqs, head, seqs, 0, size);
            System.arraycopy(offsets, head, offsets, 0, size);
            System.arraycopy(lengths, head, lengths, 0, size);
            head = 0;
            tail = size;
        }
        if (tail == seqs.length)
        {
            final int capacity = Math.min(maxBatches, seqs.length * 2);
            seqs = Arrays.copyOf(seqs, capacity);
            offsets = Arrays.copyOf(offsets, capacity);
            lengths = Arrays.copyOf(lengths, capacity);
        }
    }

    private void compactBytes()
    {
        if (bytesStart > 0)
        {
            System.arraycopy(bytes, bytesStart, bytes, 0, bytesEnd - bytesStart);
            for (int i = head; i < tail; i++)
            {
                offsets[i] -= bytesStart;
            }
            bytesEnd -= bytesStart;
            bytesStart = 0;
        }
    }
}
