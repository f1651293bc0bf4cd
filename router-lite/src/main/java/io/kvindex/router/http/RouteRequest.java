package io.kvindex.router.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvindex.router.RouteOverrides;

/**
 * A routing request read from JSON: the prompt as {@code token_ids} (or OpenAI's {@code prompt} of token ids) or
 * {@code block_hashes} with {@code isl}, and Dynamo's per-request overrides {@code overlap_score_weight},
 * {@code router_temperature}, a forced {@code worker_id} (with {@code dp_rank}), {@code priority},
 * {@code lora_name}, and an optional {@code request_id}.
 */
final class RouteRequest
{
    final int[] tokens;
    final long[] hashes;
    final int isl;
    final RouteOverrides overrides = new RouteOverrides();
    String requestId;

    private RouteRequest(final int[] tokens, final long[] hashes, final int isl, final String requestId)
    {
        this.tokens = tokens;
        this.hashes = hashes;
        this.isl = isl;
        this.requestId = requestId;
    }

    static RouteRequest read(final ObjectNode body, final int blockSize, final String promptField)
    {
        final JsonNode tokens = body.get(promptField);
        final JsonNode hashes = body.get("block_hashes");
        final RouteRequest request;
        if (null != tokens && !tokens.isNull())
        {
            final int[] ids = tokenIds(tokens, promptField);
            request = new RouteRequest(ids, null, ids.length, text(body, "request_id"));
        }
        else if (null != hashes && hashes.isArray())
        {
            final long[] values = new long[hashes.size()];
            for (int i = 0; i < values.length; i++)
            {
                final JsonNode value = hashes.get(i);
                if (!value.canConvertToLong())
                {
                    throw HttpError.badRequest("block_hashes must be 64-bit integers");
                }
                values[i] = value.asLong();
            }
            final int isl = body.path("isl").asInt(values.length * blockSize);
            request = new RouteRequest(null, values, isl, text(body, "request_id"));
        }
        else
        {
            throw HttpError.badRequest(promptField + " (an array of token ids) or block_hashes is required");
        }
        request.readOverrides(body);
        return request;
    }

    static int[] tokenIds(final JsonNode tokens, final String field)
    {
        if (!tokens.isArray())
        {
            throw HttpError.badRequest(field + " must be an array of token ids");
        }
        final int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++)
        {
            final JsonNode value = tokens.get(i);
            if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0 ||
                value.asLong() > 0xFFFF_FFFFL)
            {
                throw HttpError.badRequest(field + " must hold u32 token ids, got " + value);
            }
            ids[i] = (int)value.asLong();
        }
        return ids;
    }

    /**
     * Book under an id chosen by the router (the pass-through).
     */
    RouteRequest bookAs(final String requestId)
    {
        this.requestId = requestId;
        return this;
    }

    private void readOverrides(final ObjectNode body)
    {
        overrides.reset();
        try
        {
            final JsonNode weight = body.get("overlap_score_weight");
            if (null != weight && !weight.isNull())
            {
                overrides.overlapScoreWeight(number(weight, "overlap_score_weight"));
            }
            final JsonNode temperature = body.get("router_temperature");
            if (null != temperature && !temperature.isNull())
            {
                overrides.temperature(number(temperature, "router_temperature"));
            }
            final JsonNode priority = body.get("priority");
            if (null != priority && !priority.isNull())
            {
                overrides.priority(number(priority, "priority"));
            }
            final JsonNode worker = body.get("worker_id");
            if (null != worker && !worker.isNull())
            {
                overrides.forceWorker(unsigned(worker), body.path("dp_rank").asInt(0));
            }
            overrides.loraName(text(body, "lora_name"));
        }
        catch (final IllegalArgumentException ex)
        {
            throw HttpError.badRequest(ex.getMessage());
        }
    }

    private static double number(final JsonNode node, final String field)
    {
        if (!node.isNumber())
        {
            throw HttpError.badRequest(field + " must be a number");
        }
        return node.asDouble();
    }

    private static long unsigned(final JsonNode node)
    {
        if (node.isIntegralNumber())
        {
            return node.bigIntegerValue().longValue();
        }
        if (node.isTextual())
        {
            return Long.parseUnsignedLong(node.asText());
        }
        throw HttpError.badRequest("worker_id must be an integer");
    }

    static String text(final ObjectNode body, final String field)
    {
        final JsonNode node = body.get(field);
        if (null == node || node.isNull())
        {
            return null;
        }
        if (!node.isTextual() || node.asText().isEmpty())
        {
            throw HttpError.badRequest(field + " must be a non-empty string");
        }
        return node.asText();
    }
}
