package io.kvindex.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;

/**
 * Typed reads of the small JSON bodies of the management endpoints, each failing with a 400 that names the field:
 * integers must be JSON integers in range (no strings, no fractions), strings must be strings; a null counts as
 * absent.
 */
final class JsonFields
{
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(Long.SIZE);

    private JsonFields()
    {
    }

    static ObjectNode readObject(final InputStream in) throws IOException
    {
        final JsonNode node = Json.MAPPER.readTree(in);
        if (null == node || node.isMissingNode())
        {
            throw ApiException.badRequest("request body is empty: a JSON object is expected");
        }
        if (!node.isObject())
        {
            throw ApiException.badRequest("request body must be a JSON object");
        }
        return (ObjectNode)node;
    }

    static long unsignedLong(final ObjectNode body, final String field)
    {
        final JsonNode node = required(body, field);
        if (!node.isIntegralNumber())
        {
            throw ApiException.badRequest(field + " must be an unsigned 64-bit integer");
        }
        final BigInteger value = node.bigIntegerValue();
        if (value.signum() < 0 || value.compareTo(TWO_TO_64) >= 0)
        {
            throw ApiException.badRequest(field + " must be an unsigned 64-bit integer: " + value);
        }
        return value.longValue();
    }

    static int intField(final ObjectNode body, final String field, final int min)
    {
        return intValue(required(body, field), field, min);
    }

    static int optionalInt(final ObjectNode body, final String field, final int min, final int absent)
    {
        final JsonNode node = body.get(field);
        return null == node || node.isNull() ? absent : intValue(node, field, min);
    }

    static String string(final ObjectNode body, final String field)
    {
        final String value = optionalString(body, field);
        if (null == value)
        {
            throw ApiException.badRequest("missing field: " + field);
        }
        return value;
    }

    static String optionalString(final ObjectNode body, final String field)
    {
        final JsonNode node = body.get(field);
        if (null == node || node.isNull())
        {
            return null;
        }
        if (!node.isTextual())
        {
            throw ApiException.badRequest(field + " must be a string");
        }
        return node.textValue();
    }

    private static JsonNode required(final ObjectNode body, final String field)
    {
        final JsonNode node = body.get(field);
        if (null == node || node.isNull())
        {
            throw ApiException.badRequest("missing field: " + field);
        }
        return node;
    }

    private static int intValue(final JsonNode node, final String field, final int min)
    {
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min)
        {
            throw ApiException.badRequest(field + " must be an integer in [" + min + ", " + Integer.MAX_VALUE +
                "]: " + node);
        }
        return node.intValue();
    }
}
