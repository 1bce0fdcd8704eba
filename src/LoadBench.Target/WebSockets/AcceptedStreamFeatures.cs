using Microsoft.AspNetCore.Http.Features;

namespace LoadBench.Target.WebSockets;

/// <summary>
/// Puts a stream of ours under a WebSocket the WebSockets middleware is about to accept: it takes the accepted stream
/// from the HTTP/1.1 upgrade feature or the HTTP/2 extended CONNECT feature, so a middleware that runs before it
/// replaces whichever of the two the request has with one that passes the accepted stream through
/// <c>wrap</c>. Several such middlewares chain: each wraps the feature the one before it left.
/// </summary>
/// <remarks>The wrapper is an object the request keeps anyway (its wire), not a delegate: a method group made into a
/// <c>Func</c> is one more object per WebSocket for its whole life (64 bytes).</remarks>
internal static class AcceptedStreamFeatures
{
    /// <summary>Wraps the request's upgrade or extended CONNECT feature; false when it has neither (not a WebSocket
    /// request, or one that cannot be accepted).</summary>
    public static bool Wrap(IFeatureCollection features, IAcceptedStreamWrapper wrap)
    {
        var wrapped = false;
        if (features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
        {
            features.Set<IHttpUpgradeFeature>(new WrappedUpgrade(upgrade, wrap));
            wrapped = true;
        }

        if (features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect)
        {
            features.Set<IHttpExtendedConnectFeature>(new WrappedConnect(connect, wrap));
            wrapped = true;
        }

        return wrapped;
    }

    private sealed class WrappedUpgrade(IHttpUpgradeFeature inner, IAcceptedStreamWrapper wrap) : IHttpUpgradeFeature
    {
        public bool IsUpgradableRequest => inner.IsUpgradableRequest;

        public async Task<Stream> UpgradeAsync() => wrap.Wrap(await inner.UpgradeAsync());
    }

    private sealed class WrappedConnect(IHttpExtendedConnectFeature inner, IAcceptedStreamWrapper wrap) : IHttpExtendedConnectFeature
    {
        public bool IsExtendedConnect => inner.IsExtendedConnect;

        public string? Protocol => inner.Protocol;

        public async ValueTask<Stream> AcceptAsync() => wrap.Wrap(await inner.AcceptAsync());
    }
}

/// <summary>What passes a WebSocket's accepted stream through a stream of ours (<see cref="AcceptedStreamFeatures"/>).</summary>
internal interface IAcceptedStreamWrapper
{
    Stream Wrap(Stream accepted);
}
