using System.Text.Json.Serialization;

namespace LoadBench.Contracts;

/// <summary>The target process's own cost, so a client that did not start the target can still measure it.</summary>
/// <param name="CpuTimeMs">User plus system CPU time consumed since the process started.</param>
/// <param name="WorkingSetBytes">Resident memory now.</param>
/// <param name="ManagedHeapBytes">Bytes of the managed heap in use now.</param>
/// <param name="ProcessorCount">Cores the process may use.</param>
public sealed record ProcessStats(
    [property: JsonPropertyName("cpuTimeMs")] double CpuTimeMs,
    [property: JsonPropertyName("workingSetBytes")] long WorkingSetBytes,
    [property: JsonPropertyName("managedHeapBytes")] long ManagedHeapBytes,
    [property: JsonPropertyName("processorCount")] int ProcessorCount);
