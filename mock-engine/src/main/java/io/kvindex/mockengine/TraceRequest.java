package io.kvindex.mockengine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One request of a Mooncake trace (a JSONL line: {@code timestamp} ms, {@code input_length},
 * {@code output_length}, {@code hash_ids}), as a {@link Prompt} expanded by {@link TraceTokens}.
 */
public final class TraceRequest
{
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final long timestampMs;
    private final int outputLength;
    private final Prompt prompt;

    private TraceRequest(final long timestampMs, final int outputLength, final Prompt prompt)
    {
        this.timestampMs = timestampMs;
        this.outputLength = outputLength;
        this.prompt = prompt;
    }

    /**
     * Parse one trace line.
     *
     * @param jsonLine the line.
     * @return the request.
     * @throws IllegalArgumentException when the line is not a trace request.
     */
    public static TraceRequest parse(final String jsonLine)
    {
        final JsonNode root;
        try
        {
            root = MAPPER.readTree(jsonLine);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalArgumentException("malformed JSON: " + ex.getOriginalMessage(), ex);
        }
        if (null == root || !root.isObject())
        {
            throw new IllegalArgumentException("a trace line must be a JSON object");
        }
        final JsonNode timestamp = root.get("timestamp");
        final long timestampMs = null == timestamp ? 0 : nonNegative(timestamp, "timestamp", Long.MAX_VALUE);
        final int inputLength = (int)nonNegative(root.get("input_length"), "input_length", Integer.MAX_VALUE);
        final int outputLength = (int)nonNegative(root.get("output_length"), "output_length", Integer.MAX_VALUE);
        final JsonNode ids = root.get("hash_ids");
        if (null == ids || !ids.isArray())
        {
            throw new IllegalArgumentException("hash_ids must be a list of non-negative integers");
        }
        final int[] hashIds = new int[ids.size()];
        for (int i = 0; i < hashIds.length; i++)
        {
            hashIds[i] = (int)nonNegative(ids.get(i), "hash_ids[" + i + "]", Integer.MAX_VALUE);
        }
        return new TraceRequest(timestampMs, outputLength, new Prompt().trace(hashIds, hashIds.length, inputLength));
    }

    private static long nonNegative(final JsonNode node, final String name, final long max)
    {
        if (null == node || !node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 0 ||
            node.asLong() > max)
        {
            throw new IllegalArgumentException(name + " must be an integer in [0, " + max + "]");
        }
        return node.asLong();
    }

    /**
     * Arrival time, from the start of the trace.
     *
     * @return milliseconds.
     */
    public long timestampMs()
    {
        return timestampMs;
    }

    /**
     * Tokens to generate.
     *
     * @return output length.
     */
    public int outputLength()
    {
        return outputLength;
    }

    /**
     * The prompt: the hash ids' tokens cut to {@code input_length}.
     *
     * @return the prompt.
     */
    public Prompt prompt()
    {
        return prompt;
    }
}
