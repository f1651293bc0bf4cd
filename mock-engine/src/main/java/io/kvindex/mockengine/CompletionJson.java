package io.kvindex.mockengine;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON bodies the completions endpoint sends, in OpenAI's shapes (as vLLM sends them): a completion, a stream
 * chunk, a usage chunk, the model list and errors. Generated text is {@code " t<i>"} per token. Cache details go in
 * {@code usage.prompt_tokens_details.cached_tokens} and in a {@code mock_engine} object.
 */
final class CompletionJson
{
    private static final JsonFactory FACTORY = new JsonFactory();

    private CompletionJson()
    {
    }

    /**
     * Writes one JSON value.
     */
    @FunctionalInterface
    interface Body
    {
        void write(JsonGenerator json) throws IOException;
    }

    static byte[] json(final Body body)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = FACTORY.createGenerator(out))
        {
            body.write(json);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    static String tokenText(final int index)
    {
        return " t" + index;
    }

    static byte[] completion(
        final String id, final long created, final String model, final Admission admission, final long workerId)
    {
        final StringBuilder text = new StringBuilder(admission.outputTokens() * 5);
        for (int i = 0; i < admission.outputTokens(); i++)
        {
            text.append(tokenText(i));
        }
        return json((json) ->
        {
            header(json, id, created, model);
            json.writeArrayFieldStart("choices");
            choice(json, text.toString(), "length");
            json.writeEndArray();
            usage(json, admission);
            mockEngine(json, admission, workerId);
            json.writeEndObject();
        });
    }

    static byte[] chunk(
        final String id,
        final long created,
        final String model,
        final int index,
        final Admission admission,
        final long workerId)
    {
        final boolean last = index == admission.outputTokens() - 1;
        return json((json) ->
        {
            header(json, id, created, model);
            json.writeArrayFieldStart("choices");
            choice(json, tokenText(index), last ? "length" : null);
            json.writeEndArray();
            json.writeNullField("usage");
            if (0 == index)
            {
                mockEngine(json, admission, workerId);
            }
            json.writeEndObject();
        });
    }

    static byte[] usageChunk(final String id, final long created, final String model, final Admission admission)
    {
        return json((json) ->
        {
            header(json, id, created, model);
            json.writeArrayFieldStart("choices");
            json.writeEndArray();
            usage(json, admission);
            json.writeEndObject();
        });
    }

    static byte[] models(final String model, final long created)
    {
        return json((json) ->
        {
            json.writeStartObject();
            json.writeStringField("object", "list");
            json.writeArrayFieldStart("data");
            json.writeStartObject();
            json.writeStringField("id", model);
            json.writeStringField("object", "model");
            json.writeNumberField("created", created);
            json.writeStringField("owned_by", "kvindex-mock-engine");
            json.writeEndObject();
            json.writeEndArray();
            json.writeEndObject();
        });
    }

    static byte[] error(final int code, final String type, final String message)
    {
        return json((json) ->
        {
            json.writeStartObject();
            json.writeObjectFieldStart("error");
            json.writeStringField("message", message);
            json.writeStringField("type", type);
            json.writeNullField("param");
            json.writeNumberField("code", code);
            json.writeEndObject();
            json.writeEndObject();
        });
    }

    private static void header(final JsonGenerator json, final String id, final long created, final String model)
        throws IOException
    {
        json.writeStartObject();
        json.writeStringField("id", id);
        json.writeStringField("object", "text_completion");
        json.writeNumberField("created", created);
        json.writeStringField("model", model);
    }

    private static void choice(final JsonGenerator json, final String text, final String finishReason)
        throws IOException
    {
        json.writeStartObject();
        json.writeNumberField("index", 0);
        json.writeStringField("text", text);
        json.writeNullField("logprobs");
        json.writeStringField("finish_reason", finishReason);
        json.writeNullField("stop_reason");
        json.writeEndObject();
    }

    private static void usage(final JsonGenerator json, final Admission admission) throws IOException
    {
        json.writeObjectFieldStart("usage");
        json.writeNumberField("prompt_tokens", admission.promptTokens());
        json.writeNumberField("total_tokens", admission.promptTokens() + admission.outputTokens());
        json.writeNumberField("completion_tokens", admission.outputTokens());
        json.writeObjectFieldStart("prompt_tokens_details");
        json.writeNumberField("cached_tokens", admission.cachedTokens());
        json.writeEndObject();
        json.writeEndObject();
    }

    private static void mockEngine(final JsonGenerator json, final Admission admission, final long workerId)
        throws IOException
    {
        json.writeObjectFieldStart("mock_engine");
        json.writeNumberField("worker_id", workerId);
        json.writeNumberField("dp_rank", admission.dpRank());
        json.writeNumberField("request_id", admission.requestId());
        json.writeNumberField("cached_tokens", admission.cachedTokens());
        json.writeNumberField("cached_blocks", admission.cachedBlocks());
        json.writeNumberField("prompt_blocks", admission.promptBlocks());
        json.writeNumberField("stored_blocks", admission.storedBlocks());
        json.writeNumberField("evicted_blocks", admission.evictedBlocks());
        json.writeNumberField("prefill_us", admission.prefillNs() / 1000.0);
        json.writeNumberField("decode_us_per_token", admission.decodeNsPerToken() / 1000.0);
        json.writeEndObject();
    }
}
