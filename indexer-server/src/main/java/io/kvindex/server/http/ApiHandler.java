package io.kvindex.server.http;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;

/**
 * Answers one endpoint; errors are thrown as {@link ApiException} (or the exceptions {@link ApiRouter} maps).
 */
@FunctionalInterface
interface ApiHandler
{
    /**
     * Answer a request whose path, method and token the router has checked.
     *
     * @param exchange  the request.
     * @param workspace the calling thread's reusable state.
     * @throws IOException when the request cannot be read or the answer sent.
     */
    void handle(HttpExchange exchange, HttpWorkspace workspace) throws IOException;
}
