using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace LoadBench.Target.Demo;

/// <summary>
/// The demo page's files (Demo/Page/*), embedded in the target's assembly so that <c>loadbench demo</c> works from
/// a single installed tool, offline, with nothing to unpack. Read once at start; each file has a strong ETag from
/// its content so a reload costs a 304, not the file.
/// </summary>
public sealed class DemoAssets
{
    /// <summary>The prefix the csproj gives the embedded files' logical names.</summary>
    internal const string ResourcePrefix = "LoadBench.Target.Demo.Page/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, DemoAsset> _files;

    public DemoAssets()
        : this(typeof(DemoAssets).Assembly)
    {
    }

    internal DemoAssets(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var files = new Dictionary<string, DemoAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var fileName = name[ResourcePrefix.Length..];
            if (!ContentTypes.TryGetValue(Path.GetExtension(fileName), out var contentType))
            {
                // A file type we would serve with a guessed content type is a packaging mistake: say so at start.
                throw new InvalidOperationException($"Demo file '{fileName}' has no known content type; add its extension to {nameof(DemoAssets)}.");
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var etag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 8))}\"");
            files[fileName] = new DemoAsset(fileName, content, contentType, etag);
        }

        _files = files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The embedded file names, e.g. <c>index.html</c>, <c>demo.js</c>.</summary>
    public IEnumerable<string> Names => _files.Keys;

    public bool TryGet(string fileName, out DemoAsset? asset) => _files.TryGetValue(fileName, out asset);
}

/// <summary>One embedded file of the demo page.</summary>
public sealed record DemoAsset(string Name, ReadOnlyMemory<byte> Content, string ContentType, EntityTagHeaderValue ETag);
