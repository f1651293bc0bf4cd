package io.kvindex.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The one Jackson mapper and factory of the API: thread-safe and shared, so no request builds its own.
 */
final class Json
{
    /** Reads whole bodies: content after the value is an error. */
    static final ObjectMapper MAPPER = new ObjectMapper()
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** Reads values one after another out of a larger document (a dump's events). */
    static final ObjectMapper EMBEDDED_MAPPER = new ObjectMapper();
    static final JsonFactory FACTORY = MAPPER.getFactory()
        .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private Json()
    {
    }
}
