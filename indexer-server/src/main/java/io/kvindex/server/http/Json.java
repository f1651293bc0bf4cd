package io.kvindex.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The one Jackson mapper and factory of the API: thread-safe and shared, so no request builds its own.
 */
final class Json
{
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final JsonFactory FACTORY = MAPPER.getFactory()
        .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private Json()
    {
    }
}
