package io.kvindex.server.registry;

import io.kvindex.server.query.IndexRegistry;

import java.util.Objects;

/**
 * One engine event stream to follow, as {@code POST /register} names it ({@code spec/dynamo-compat.md} §3): the
 * owner {@code (instanceId, dpRank)}, its ZMQ endpoint and optional replay endpoint, and the index
 * {@code (model, tenant)} with the block size the engine uses. Immutable; validated on construction.
 */
public final class WorkerRegistration
{
    private final long instanceId;
    private final int dpRank;
    private final String endpoint;
    private final String replayEndpoint;
    private final int blockSize;
    private final String model;
    private final String tenant;

    /**
     * A validated registration.
     *
     * @param instanceId     the worker id, an unsigned 64-bit value.
     * @param dpRank         data-parallel rank, {@code >= 0}.
     * @param endpoint       the engine's ZMQ PUB endpoint, {@code tcp://host:port}, {@code ipc://path} or
     *                       {@code inproc://name}.
     * @param replayEndpoint the engine's replay ROUTER endpoint in the same forms, or null.
     * @param blockSize      tokens per block, {@code >= 1}.
     * @param model          model name, not empty.
     * @param tenant         tenant; null or empty for {@link IndexRegistry#DEFAULT_TENANT}.
     * @throws IllegalArgumentException naming the first bad field.
     */
    public WorkerRegistration(
        final long instanceId,
        final int dpRank,
        final String endpoint,
        final String replayEndpoint,
        final int blockSize,
        final String model,
        final String tenant)
    {
        if (dpRank < 0)
        {
            throw new IllegalArgumentException("dp_rank must be >= 0: " + dpRank);
        }
        if (blockSize < 1)
        {
            throw new IllegalArgumentException("block_size must be >= 1: " + blockSize);
        }
        if (null == model || model.isEmpty())
        {
            throw new IllegalArgumentException("model_name must not be empty");
        }
        ZmqEndpoints.validate("endpoint", endpoint);
        if (null != replayEndpoint)
        {
            ZmqEndpoints.validate("replay_endpoint", replayEndpoint);
        }
        this.instanceId = instanceId;
        this.dpRank = dpRank;
        this.endpoint = endpoint;
        this.replayEndpoint = replayEndpoint;
        this.blockSize = blockSize;
        this.model = model;
        this.tenant = null == tenant || tenant.isEmpty() ? IndexRegistry.DEFAULT_TENANT : tenant;
    }

    /**
     * The worker id.
     *
     * @return the id, unsigned.
     */
    public long instanceId()
    {
        return instanceId;
    }

    /**
     * Data-parallel rank of this stream.
     *
     * @return the rank.
     */
    public int dpRank()
    {
        return dpRank;
    }

    /**
     * The engine's ZMQ PUB endpoint.
     *
     * @return the endpoint.
     */
    public String endpoint()
    {
        return endpoint;
    }

    /**
     * The engine's replay ROUTER endpoint.
     *
     * @return the endpoint, or null when the engine has none.
     */
    public String replayEndpoint()
    {
        return replayEndpoint;
    }

    /**
     * Tokens per block.
     *
     * @return the block size.
     */
    public int blockSize()
    {
        return blockSize;
    }

    /**
     * Model name.
     *
     * @return the model.
     */
    public String model()
    {
        return model;
    }

    /**
     * Tenant, never empty.
     *
     * @return the tenant.
     */
    public String tenant()
    {
        return tenant;
    }

    /**
     * Whether this registration names the same stream as another: same owner and same index.
     *
     * @param other the other registration.
     * @return true for the same {@code (model, tenant, instanceId, dpRank)}.
     */
    public boolean sameStream(final WorkerRegistration other)
    {
        return instanceId == other.instanceId && dpRank == other.dpRank && model.equals(other.model) &&
            tenant.equals(other.tenant);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof WorkerRegistration))
        {
            return false;
        }
        final WorkerRegistration that = (WorkerRegistration)o;
        return sameStream(that) && blockSize == that.blockSize && endpoint.equals(that.endpoint) &&
            Objects.equals(replayEndpoint, that.replayEndpoint);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int hashCode()
    {
        return Objects.hash(instanceId, dpRank, model, tenant);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "WorkerRegistration{instanceId=" + Long.toUnsignedString(instanceId) + ", dpRank=" + dpRank +
            ", endpoint=" + endpoint + ", replayEndpoint=" + replayEndpoint + ", blockSize=" + blockSize +
            ", model=" + model + ", tenant=" + tenant + "}";
    }
}
