using Orleans.Runtime;

namespace LoanOffers.Storage.AzureTables;

/// <summary>A grain's state does not fit one table entity; nothing was written.</summary>
public sealed class GrainStateTooLargeException(string providerName, GrainId grainId, string stateName, int sizeBytes, int limitBytes)
    : OrleansException($"Azure table storage '{providerName}': state '{stateName}' of grain {grainId} serializes to {sizeBytes:N0} bytes, over the {limitBytes:N0}-byte limit of one table entity. Nothing was written.")
{
    public GrainId GrainId { get; } = grainId;

    public int SizeBytes { get; } = sizeBytes;
}
