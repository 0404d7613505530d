using System.Text.Json;
using LoanOffers.Abstractions;
using LoanOffers.Domain;
using LoanOffers.Storage.AzureTables;

namespace LoanOffers.Server.Security;

/// <summary>The audit records of the lending team's changes, the same whoever makes them (the API or the demo).</summary>
public static class AuditRecords
{
    public static AuditRecord ProgramConfigured(AuditActor actor, ProgramConfig? before, ProgramConfig after)
    {
        var beforeJson = before is null ? null : JsonSerializer.Serialize(before, ApiJson.Options);
        var afterJson = JsonSerializer.Serialize(after, ApiJson.Options);
        return new AuditRecord(actor, AuditActions.ProgramConfigured, after.ProgramId, beforeJson, afterJson, JsonChanges.Between(beforeJson, afterJson));
    }

    public static AuditRecord RunStarted(AuditActor actor, string programId, RunStatus run) =>
        new(actor, AuditActions.RunStarted, $"{programId}/{run.RunId}", null, JsonSerializer.Serialize(run, ApiJson.Options), []);

    public static AuditRecord CampaignStarted(AuditActor actor, CampaignProgress progress) =>
        new(actor, AuditActions.CampaignStarted, $"{progress.ProgramId}/{progress.RunId}", null,
            JsonSerializer.Serialize(new { progress.Status, progress.Queued }, ApiJson.Options), []);
}
