package io.kvindex.mockengine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;

/**
 * A {@code POST /v1/completions} body, validated: {@code prompt} a list of token ids (this engine has no
 * tokenizer), {@code max_tokens} (default 16), {@code stream}, {@code stream_options.include_usage}, {@code model},
 * and optionally {@code data_parallel_rank} (or the {@code X-data-parallel-rank} header). Other fields are ignored.
 */
final class CompletionRequest
{
    static final int MAX_TOKENS_DEFAULT = 16;
    static final int MAX_TOKENS_LIMIT = 1 << 20;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    final int[] prompt;
    final int maxTokens;
    final boolean stream;
    final boolean includeUsage;
    final String model;
    final int dpRank;

    private CompletionRequest(
        final int[] prompt,
        final int maxTokens,
        final boolean stream,
        final boolean includeUsage,
        final String model,
        final int dpRank)
    {
        this.prompt = prompt;
        this.maxTokens = maxTokens;
        this.stream = stream;
        this.includeUsage = includeUsage;
        this.model = model;
        this.dpRank = dpRank;
    }

    /**
     * A request body the engine cannot serve; the message is for the client.
     */
    static final class BadRequestException extends Exception
    {
        private static final long serialVersionUID = 1L;

        BadRequestException(final String message)
        {
            super(message);
        }
    }

    static CompletionRequest parse(
        final byte[] body, final int length, final String rankHeader, final int dpRanks, final String defaultModel)
        throws BadRequestException
    {
        final JsonNode root = readTree(body, length);
        if (!root.isObject())
        {
            throw new BadRequestException("the body must be a JSON object");
        }
        final int[] prompt = prompt(root.get("prompt"));
        final JsonNode maxTokensNode = root.get("max_tokens");
        final int maxTokens = null == maxTokensNode || maxTokensNode.isNull() ? MAX_TOKENS_DEFAULT :
            intIn(maxTokensNode, "max_tokens", 1, MAX_TOKENS_LIMIT);
        final boolean stream = bool(root.get("stream"), "stream");
        final JsonNode options = root.get("stream_options");
        if (null != options && !options.isNull() && !options.isObject())
        {
            throw new BadRequestException("stream_options must be an object");
        }
        final boolean includeUsage = null != options && bool(options.get("include_usage"), "include_usage");
        final JsonNode modelNode = root.get("model");
        if (null != modelNode && !modelNode.isNull() && !modelNode.isTextual())
        {
            throw new BadRequestException("model must be a string");
        }
        final String model = null == modelNode || modelNode.isNull() ? defaultModel : modelNode.asText();
        final JsonNode rankNode = root.get("data_parallel_rank");
        int dpRank = -1;
        if (null != rankNode && !rankNode.isNull())
        {
            dpRank = intIn(rankNode, "data_parallel_rank", 0, dpRanks - 1);
        }
        else if (null != rankHeader)
        {
            dpRank = headerRank(rankHeader, dpRanks);
        }
        return new CompletionRequest(prompt, maxTokens, stream, includeUsage, model, dpRank);
    }

    private static JsonNode readTree(final byte[] body, final int length) throws BadRequestException
    {
        try
        {
            final JsonNode root = MAPPER.readTree(body, 0, length);
            if (null == root || root.isMissingNode())
            {
                throw new BadRequestException("the body is empty: expected a JSON object");
            }
            return root;
        }
        catch (final JsonProcessingException ex)
        {
            throw new BadRequestException("malformed JSON: " + ex.getOriginalMessage());
        }
        catch (final IOException ex)
        {
            throw new BadRequestException("unreadable body: " + ex.getMessage());
        }
    }

    private static int[] prompt(final JsonNode node) throws BadRequestException
    {
        if (null == node || node.isNull())
        {
            throw new BadRequestException("prompt is required: a list of token ids");
        }
        if (node.isTextual())
        {
            throw new BadRequestException("prompt must be a list of token ids: this engine has no tokenizer");
        }
        JsonNode list = node;
        if (node.isArray() && node.size() > 0 && node.get(0).isArray())
        {
            if (node.size() > 1)
            {
                throw new BadRequestException("one prompt per request: got " + node.size());
            }
            list = node.get(0);
        }
        if (!list.isArray() || 0 == list.size())
        {
            throw new BadRequestException("prompt must be a non-empty list of token ids");
        }
        final int[] tokens = new int[list.size()];
        for (int i = 0; i < tokens.length; i++)
        {
            final JsonNode token = list.get(i);
            if (!token.isIntegralNumber() || !token.canConvertToInt() || token.asInt() < 0)
            {
                throw new BadRequestException("prompt[" + i + "] is not a token id (a non-negative integer): " +
                    abbreviate(token.toString()));
            }
            tokens[i] = token.asInt();
        }
        return tokens;
    }

    private static int intIn(final JsonNode node, final String name, final int min, final int max)
        throws BadRequestException
    {
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < min || node.asInt() > max)
        {
            throw new BadRequestException(name + " must be an integer in [" + min + ", " + max + "], got " +
                abbreviate(node.toString()));
        }
        return node.asInt();
    }

    private static boolean bool(final JsonNode node, final String name) throws BadRequestException
    {
        if (null == node || node.isNull())
        {
            return false;
        }
        if (!node.isBoolean())
        {
            throw new BadRequestException(name + " must be true or false, got " + abbreviate(node.toString()));
        }
        return node.asBoolean();
    }

    private static int headerRank(final String header, final int dpRanks) throws BadRequestException
    {
        try
        {
            final int rank = Integer.parseInt(header.trim());
            if (rank >= 0 && rank < dpRanks)
            {
                return rank;
            }
        }
        catch (final NumberFormatException ignore)
        {
        }
        throw new BadRequestException("X-data-parallel-rank must be an integer in [0, " + (dpRanks - 1) + "], got " +
            abbreviate(header));
    }

    private static String abbreviate(final String text)
    {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
