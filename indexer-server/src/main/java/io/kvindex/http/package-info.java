/**
 * HTTP pieces shared by the indexer's and router-lite's JSON APIs (both on the JDK's {@code com.sun.net.httpserver}):
 * bounded request bodies. Nothing here depends on the indexer.
 */
package io.kvindex.http;
