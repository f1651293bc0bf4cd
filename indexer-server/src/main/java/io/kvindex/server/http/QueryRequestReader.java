package io.kvindex.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;

/**
 * Reads a {@code /query} body {@code {token_ids, model_name, tenant_id?, lora_name?}} or a {@code /query_by_hash}
 * body {@code {block_hashes, model_name, tenant_id?}} with Jackson's streaming parser, straight into the thread's
 * arrays: token ids are unsigned 32-bit, block hashes 64-bit (Dynamo sends them as i64; values up to 2^64 - 1 are
 * taken as unsigned too). Unknown fields are skipped, as serde does.
 */
final class QueryRequestReader
{
    private static final long MAX_TOKEN_ID = 0xFFFF_FFFFL;

    private QueryRequestReader()
    {
    }

    /**
     * Fill the workspace's model, tenant, LoRA name, and tokens (or hashes) with their count.
     *
     * @throws ApiException for a body that is not such an object, a missing field or a value of the wrong type.
     */
    static void read(final InputStream in, final HttpWorkspace workspace, final boolean byHash) throws IOException
    {
        workspace.model = null;
        workspace.tenant = null;
        workspace.loraName = null;
        workspace.count = -1;
        try (JsonParser parser = Json.FACTORY.createParser(in))
        {
            if (parser.nextToken() != JsonToken.START_OBJECT)
            {
                throw ApiException.badRequest("request body must be a JSON object");
            }
            String field;
            while (null != (field = parser.nextFieldName()))
            {
                final JsonToken token = parser.nextToken();
                readField(parser, token, field, workspace, byHash);
            }
            if (null != parser.nextToken())
            {
                throw ApiException.badRequest("unexpected content after the JSON object");
            }
        }
        if (null == workspace.model)
        {
            throw ApiException.badRequest("missing field: model_name");
        }
        if (workspace.count < 0)
        {
            throw ApiException.badRequest("missing field: " + (byHash ? "block_hashes" : "token_ids"));
        }
    }

    private static void readField(
        final JsonParser parser,
        final JsonToken token,
        final String field,
        final HttpWorkspace workspace,
        final boolean byHash) throws IOException
    {
        switch (field)
        {
            case "model_name":
                workspace.model = string(parser, token, field);
                break;
            case "tenant_id":
                workspace.tenant = string(parser, token, field);
                break;
            case "lora_name":
                workspace.loraName = string(parser, token, field);
                break;
            case "token_ids":
                if (byHash || !readTokens(parser, token, workspace))
                {
                    parser.skipChildren();
                }
                break;
            case "block_hashes":
                if (!byHash || !readHashes(parser, token, workspace))
                {
                    parser.skipChildren();
                }
                break;
            default:
                parser.skipChildren();
                break;
        }
    }

    private static String string(final JsonParser parser, final JsonToken token, final String field)
        throws IOException
    {
        if (JsonToken.VALUE_NULL == token)
        {
            return null;
        }
        if (JsonToken.VALUE_STRING != token)
        {
            throw ApiException.badRequest(field + " must be a string");
        }
        return parser.getText();
    }

    private static boolean readTokens(final JsonParser parser, final JsonToken token, final HttpWorkspace workspace)
        throws IOException
    {
        if (JsonToken.VALUE_NULL == token)
        {
            return false;
        }
        if (JsonToken.START_ARRAY != token)
        {
            throw badTokens();
        }
        int count = 0;
        JsonToken element;
        while ((element = parser.nextToken()) != JsonToken.END_ARRAY)
        {
            if (JsonToken.VALUE_NUMBER_INT != element)
            {
                throw badTokens();
            }
            final long value = JsonParser.NumberType.BIG_INTEGER == parser.getNumberType() ? -1 :
                parser.getLongValue();
            if (value < 0 || value > MAX_TOKEN_ID)
            {
                throw badTokens();
            }
            workspace.ensureTokens(count + 1);
            workspace.tokens[count++] = (int)value;
        }
        workspace.count = count;
        return true;
    }

    private static boolean readHashes(final JsonParser parser, final JsonToken token, final HttpWorkspace workspace)
        throws IOException
    {
        if (JsonToken.VALUE_NULL == token)
        {
            return false;
        }
        if (JsonToken.START_ARRAY != token)
        {
            throw badHashes();
        }
        int count = 0;
        JsonToken element;
        while ((element = parser.nextToken()) != JsonToken.END_ARRAY)
        {
            if (JsonToken.VALUE_NUMBER_INT != element)
            {
                throw badHashes();
            }
            final long value;
            if (JsonParser.NumberType.BIG_INTEGER == parser.getNumberType())
            {
                final BigInteger big = parser.getBigIntegerValue();
                if (big.signum() < 0 || big.bitLength() > Long.SIZE)
                {
                    throw badHashes();
                }
                value = big.longValue();
            }
            else
            {
                value = parser.getLongValue();
            }
            workspace.ensureHashes(count + 1);
            workspace.hashes[count++] = value;
        }
        workspace.count = count;
        return true;
    }

    private static ApiException badTokens()
    {
        return ApiException.badRequest("token_ids must be an array of integers in [0, 4294967295]");
    }

    private static ApiException badHashes()
    {
        return ApiException.badRequest("block_hashes must be an array of 64-bit integers");
    }
}
