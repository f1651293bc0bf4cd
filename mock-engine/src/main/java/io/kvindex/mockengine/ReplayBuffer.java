package io.kvindex.mockengine;

/**
 * The last {@code capacity} batches of one stream, as an engine keeps them for its replay socket: a ring of payload
 * copies with consecutive seqs. Each slot's array is reused and grown as needed. Single-threaded.
 */
final class ReplayBuffer
{
    private static final byte[] EMPTY = new byte[0];

    private final byte[][] payloads;
    private final int[] lengths;
    private long firstSeq;
    private int size;

    ReplayBuffer(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        }
        payloads = new byte[capacity][];
        lengths = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            payloads[i] = EMPTY;
        }
    }

    /**
     * Keep a copy of the next batch, dropping the oldest when full. Seqs must follow each other.
     */
    void append(final long seq, final byte[] buffer, final int offset, final int length)
    {
        if (size > 0 && seq != firstSeq + size)
        {
            throw new IllegalArgumentException("seq " + seq + " does not follow " + (firstSeq + size - 1));
        }
        if (0 == size)
        {
            firstSeq = seq;
        }
        if (size == payloads.length)
        {
            firstSeq++;
            size--;
        }
        final int slot = (int)((firstSeq + size) % payloads.length);
        if (payloads[slot].length < length)
        {
            payloads[slot] = new byte[Math.max(length, payloads[slot].length * 2)];
        }
        System.arraycopy(buffer, offset, payloads[slot], 0, length);
        lengths[slot] = length;
        size++;
    }

    /**
     * Batches held.
     */
    int size()
    {
        return size;
    }

    /**
     * Seq of the oldest batch held; meaningless when empty.
     */
    long firstSeq()
    {
        return firstSeq;
    }

    /**
     * Index (0 = oldest) of the first batch held whose seq is at least a start seq, read unsigned as on the wire.
     *
     * @return the index, {@link #size()} when none.
     */
    int indexFrom(final long startSeq)
    {
        if (0 == size || Long.compareUnsigned(startSeq, firstSeq) <= 0)
        {
            return 0;
        }
        return (int)Math.min(size, Long.compareUnsigned(startSeq, firstSeq + size) >= 0 ? size : startSeq - firstSeq);
    }

    long seqAt(final int index)
    {
        return firstSeq + index;
    }

    byte[] payloadAt(final int index)
    {
        return payloads[slot(index)];
    }

    int lengthAt(final int index)
    {
        return lengths[slot(index)];
    }

    private int slot(final int index)
    {
        return (int)((firstSeq + index) % payloads.length);
    }
}
