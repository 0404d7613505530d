using LoanOffers.Server.Hosting;
using LoanOffers.Storage.AzureTables;
using Microsoft.Extensions.Logging.Abstractions;

namespace LoanOffers.Server.Commands;

/// <summary>
/// <c>verify-audit</c>: walks the engine's whole audit trail (<c>ConnectionStrings:Tables</c>, <c>Engine:TablePrefix</c>)
/// and reports any entry changed, removed or inserted since it was written. Exit code 0 when intact, 1 when not.
/// </summary>
public static class VerifyAuditCommand
{
    public const string Verb = "verify-audit";

    public static async Task<int> RunAsync(IConfiguration configuration, TextWriter output, CancellationToken cancellationToken = default)
    {
        var storage = EngineHostingExtensions.StorageOptions(configuration);
        var trail = new AuditTrail(storage.TableServiceClient, storage.Table("Audit"), TimeProvider.System, NullLogger<AuditTrail>.Instance);
        var result = await trail.VerifyAsync(cancellationToken);
        if (result.Intact)
        {
            await output.WriteLineAsync($"Audit trail intact: {result.Entries:N0} entries, the newest is {result.HeadSequence}.");
            return 0;
        }

        await output.WriteLineAsync($"Audit trail NOT intact ({result.Entries:N0} entries read, the head names {result.HeadSequence}):");
        foreach (var problem in result.Problems)
        {
            await output.WriteLineAsync("  " + problem);
        }

        return 1;
    }
}
