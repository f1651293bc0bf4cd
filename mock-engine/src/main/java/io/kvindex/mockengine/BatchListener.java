package io.kvindex.mockengine;

/**
 * Receives every encoded KV-event batch an engine publishes: the msgpack payload of the third ZMQ frame. The bytes
 * are the engine's buffer: copy what must outlive the call.
 */
@FunctionalInterface
public interface BatchListener
{
    /**
     * A batch is complete.
     *
     * @param dpRank the rank whose events it holds ({@code data_parallel_rank} in the payload).
     * @param seq    its sequence number on its stream (per rank, or shared by every rank with one stream).
     * @param buffer holds the payload.
     * @param offset where the payload starts.
     * @param length payload bytes.
     */
    void onBatch(int dpRank, long seq, byte[] buffer, int offset, int length);
}
