package io.kvindex.server.query;

import io.aeron.Publication;
import io.kvindex.client.QueryProtocol;
import io.kvindex.client.codecs.MessageHeaderEncoder;
import io.kvindex.client.codecs.OverlapResponseEncoder;
import io.kvindex.client.codecs.QueryStatus;
import io.kvindex.index.OverlapScores;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * Encodes OverlapResponses into one reusable direct buffer and offers them to a session's publication: the scores
 * when the status is OK, none otherwise, and SERVER_ERROR instead when the scores would not fit in one message.
 * Allocates nothing per response.
 */
public final class OverlapResponseProxy
{
    private final OverlapResponseEncoder encoder = new OverlapResponseEncoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final UnsafeBuffer buffer;
    private int length;

    /**
     * A proxy whose buffer holds an answer of up to {@code maxOwners} scores.
     *
     * @param maxOwners most owners an answer may hold.
     */
    public OverlapResponseProxy(final int maxOwners)
    {
        buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(encodedLength(maxOwners)));
    }

    /**
     * Encode the answer to a request, replacing the previous one.
     *
     * @param correlationId    the request's correlation id.
     * @param status           the outcome of the request.
     * @param scores           the scores, read only when {@code status} is OK.
     * @param maxMessageLength longest message the publication takes.
     * @return the status encoded: {@code status}, or SERVER_ERROR when the scores do not fit.
     */
    public QueryStatus encode(
        final long correlationId, final QueryStatus status, final OverlapScores scores, final int maxMessageLength)
    {
        final int count = QueryStatus.OK == status ? scores.size() : 0;
        final QueryStatus sent = encodedLength(count) > maxMessageLength ? QueryStatus.SERVER_ERROR : status;
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .status(sent);
        final OverlapResponseEncoder.ScoresEncoder group = encoder.scoresCount(QueryStatus.OK == sent ? count : 0);
        if (QueryStatus.OK == sent)
        {
            for (int i = 0; i < count; i++)
            {
                group.next()
                    .workerId(scores.workerId(i))
                    .dpRank(scores.dpRank(i) & 0xFFFF_FFFFL)
                    .matchedBlocks(scores.matchedBlocks(i))
                    .treeSize(scores.treeSize(i));
            }
        }
        length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        return sent;
    }

    /**
     * Offer the last encoded answer.
     *
     * @param publication the session's publication.
     * @return the publication's result.
     */
    public long offer(final Publication publication)
    {
        return publication.offer(buffer, 0, length);
    }

    /**
     * The buffer holding the last encoded answer from offset 0.
     *
     * @return the buffer.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Length of the last encoded answer, message header included.
     *
     * @return bytes.
     */
    public int length()
    {
        return length;
    }

    /**
     * Length of an OK answer with a number of scores, message header included.
     *
     * @param owners scores in the answer.
     * @return bytes.
     */
    public static int encodedLength(final int owners)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + OverlapResponseEncoder.BLOCK_LENGTH +
            OverlapResponseEncoder.ScoresEncoder.HEADER_SIZE + owners * QueryProtocol.SCORE_ENTRY_BYTES;
    }
}
