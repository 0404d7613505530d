using System.Runtime.InteropServices;
using System.Text;
using Azure.Data.Tables;
using LoanOffers.Abstractions;
using LoanOffers.Domain;

namespace LoanOffers.Storage.AzureTables;

/// <summary>
/// The applications ledger: one row per application, partitioned by the program and run that made the offer, so a run's
/// funnel (applied, funded, declined per tier) is one partition query. Rows are upserted whole on each change, so
/// writing one again is harmless. The applicant's model features are encrypted like the customer's state when
/// personal-data encryption is on.
/// </summary>
public sealed class ApplicationLedger(TableServiceClient service, string tableName, StateEncryption? encryption)
{
    private readonly TableClient _table = service.GetTableClient(tableName);

    public Task CreateTableAsync(CancellationToken cancellationToken = default) => _table.CreateIfNotExistsAsync(cancellationToken);

    public async Task WriteAsync(LoanApplication application, CancellationToken cancellationToken = default)
    {
        var facts = application.Facts ?? new ApplicationFacts(null, []);
        var partitionKey = RunPartition(application.ProgramId, application.RunId ?? string.Empty);
        var rowKey = TableNames.EscapeKey(application.ApplicationId);
        var features = MemoryMarshal.AsBytes(facts.Features.ToArray().AsSpan()).ToArray();
        var row = new TableEntity(partitionKey, rowKey)
        {
            ["CustomerId"] = application.CustomerId,
            ["ProgramId"] = application.ProgramId,
            ["RunId"] = application.RunId,
            ["Tier"] = application.Offer.Tier,
            ["ApprovalModelId"] = facts.ApprovalModelId,
            ["Status"] = application.Status,
            ["AppliedAt"] = application.AppliedAt,
            ["FundedAmount"] = application.Outcome?.FundedAmount is { } amount ? (double)amount : null,
            ["OutcomeAt"] = application.Outcome?.RecordedAt,
        };
        row["Features"] = StateRows.Seal(row, features, encryption).ToArray();
        await _table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>Applied (every application), funded and declined counts, and the amount funded, per tier of one run.</summary>
    public async Task<IReadOnlyDictionary<string, TierOutcomes>> RunOutcomesAsync(string programId, string runId, CancellationToken cancellationToken = default)
    {
        var tiers = new SortedDictionary<string, TierOutcomes>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {RunPartition(programId, runId)}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, select: ["Tier", "Status", "FundedAmount"], cancellationToken: cancellationToken))
        {
            var tier = row.GetString("Tier") ?? "unknown";
            var status = row.GetString("Status");
            var counts = tiers.GetValueOrDefault(tier) ?? new TierOutcomes(0, 0, 0, 0);
            tiers[tier] = counts with
            {
                Applied = counts.Applied + 1,
                Funded = counts.Funded + (status == ApplicationStatuses.Funded ? 1 : 0),
                Declined = counts.Declined + (status == ApplicationStatuses.Declined ? 1 : 0),
                FundedAmount = counts.FundedAmount + (decimal)(row.GetDouble("FundedAmount") ?? 0),
            };
        }

        return tiers;
    }

    /// <summary>Every funded or declined application scored by <paramref name="approvalModelId"/>, as labelled rows.</summary>
    public async Task<IReadOnlyList<LabelledOutcome>> LabelledOutcomesAsync(string approvalModelId, CancellationToken cancellationToken = default)
    {
        var outcomes = new List<LabelledOutcome>();
        var filter = TableClient.CreateQueryFilter(
            $"ApprovalModelId eq {approvalModelId} and (Status eq {ApplicationStatuses.Funded} or Status eq {ApplicationStatuses.Declined})");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            var features = StateRows.Open(row, row.GetBinary("Features"), encryption);
            outcomes.Add(new LabelledOutcome(row.GetString("CustomerId"), MemoryMarshal.Cast<byte, float>(features).ToArray(), row.GetString("Status") == ApplicationStatuses.Funded));
        }

        return outcomes;
    }

    private static string RunPartition(string programId, string runId) => TableNames.EscapeKey(programId) + "|" + TableNames.EscapeKey(runId);
}
