using LoanOffers.Abstractions;
using LoanOffers.Storage.AzureTables;
using Orleans;

namespace LoanOffers.Grains;

/// <summary>
/// The weekly warehouse export: for every program, the candidates live at export time, and the decisions and funnel
/// events of the runs that started in the week, as Parquet partitioned by program and week, then the week's manifest.
/// </summary>
public sealed class WarehouseExporter(IGrainFactory grains, CandidateIndex candidates, FirmOfferRecordStore records, FunnelLedger funnel, WarehouseStore? warehouse = null)
{
    /// <summary>Exports the week (Monday to Sunday where the bank is) that <paramref name="day"/> falls in; returns its manifest.</summary>
    public async Task<WarehouseManifest> ExportAsync(DateOnly day, TimeZoneInfo zone, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var store = warehouse ?? throw new InvalidOperationException("The warehouse export needs ConnectionStrings:Blobs (Azure Blob Storage).");
        var week = WarehouseStore.WeekOf(day);
        var from = new DateTimeOffset(week.ToDateTime(TimeOnly.MinValue), zone.GetUtcOffset(week.ToDateTime(TimeOnly.MinValue)));
        var to = from.AddDays(7);
        var files = new List<WarehouseFile>();
        foreach (var program in await ProgramBook.ReadAllAsync(grains))
        {
            var runs = program.Runs.Where(run => run.State == RunState.Completed && run.StartedAt >= from && run.StartedAt < to).ToList();
            var live = new List<CandidateRow>();
            foreach (var tier in program.Tiers)
            {
                await foreach (var candidate in candidates.LiveAsync(program.ProgramId, tier, now, cancellationToken))
                {
                    live.Add(new CandidateRow
                    {
                        ProgramId = candidate.ProgramId, CustomerId = candidate.CustomerId, Tier = candidate.Tier, Score = candidate.Score,
                        LoanAmount = candidate.LoanAmount, Roi = candidate.Roi, Apr = candidate.Apr,
                        OfferedAt = candidate.OfferedAt.UtcDateTime, ExpiresAt = candidate.ExpiresAt.UtcDateTime,
                    });
                }
            }

            var decisions = new List<DecisionRow>();
            var events = new List<FunnelEventRow>();
            foreach (var run in runs)
            {
                await foreach (var record in records.RunRecordsAsync(program.ProgramId, run.RunId, cancellationToken))
                {
                    decisions.Add(new DecisionRow
                    {
                        ProgramId = record.ProgramId, RunId = record.RunId, ProgramVersion = record.ProgramVersion, CustomerId = record.CustomerId, Tier = record.Tier,
                        MadeAt = record.MadeAt.UtcDateTime, ExpiresAt = record.ExpiresAt.UtcDateTime,
                        ApprovalModel = record.Models.ElementAtOrDefault(0)?.ModelId, ApprovalScore = record.Models.ElementAtOrDefault(0)?.Score,
                        DefaultRiskModel = record.Models.ElementAtOrDefault(1)?.ModelId, DefaultRiskScore = record.Models.ElementAtOrDefault(1)?.Score,
                        Offers = record.Offers.Count,
                        BestAmount = record.Offers.Count == 0 ? null : record.Offers.Max(offer => offer.Amount),
                        BestApr = record.Offers.Count == 0 ? null : record.Offers.Min(offer => offer.Apr),
                    });
                }

                await foreach (var stage in funnel.RecordsAsync(program.ProgramId, run.RunId, cancellationToken))
                {
                    events.Add(new FunnelEventRow
                    {
                        ProgramId = program.ProgramId, RunId = run.RunId, CustomerId = stage.CustomerId, Tier = stage.Tier, Channel = stage.Channel, Stage = stage.Stage,
                        FundedAmount = stage.Amount,
                    });
                }
            }

            files.Add(await store.WriteAsync(WarehouseDatasets.Candidates, program.ProgramId, week, live, cancellationToken));
            files.Add(await store.WriteAsync(WarehouseDatasets.Decisions, program.ProgramId, week, decisions, cancellationToken));
            files.Add(await store.WriteAsync(WarehouseDatasets.FunnelEvents, program.ProgramId, week, events, cancellationToken));
        }

        var manifest = new WarehouseManifest(week, now, WarehouseStore.SchemaVersion, files);
        await store.WriteManifestAsync(manifest, cancellationToken);
        return manifest;
    }
}
