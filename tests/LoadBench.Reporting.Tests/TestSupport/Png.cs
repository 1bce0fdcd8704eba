using System.Buffers.Binary;

namespace LoadBench.Reporting.Tests.TestSupport;

/// <summary>Reads a PNG's size from its header chunk (IHDR): no image library needed.</summary>
internal static class Png
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static (int Width, int Height) Size(byte[] png)
    {
        Assert.True(png.Length > 24, "PNG too short");
        Assert.Equal(Signature, png[..8]);
        // The first chunk must be IHDR: 4-byte length (13), "IHDR", then width and height, big-endian.
        Assert.Equal(13, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(8, 4)));
        Assert.Equal("IHDR"u8.ToArray(), png[12..16]);
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
    }
}
