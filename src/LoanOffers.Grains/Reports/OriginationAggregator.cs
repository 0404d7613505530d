using LoanOffers.Abstractions;
using LoanOffers.Domain.Reports;
using LoanOffers.Storage.AzureTables;
using Orleans;

namespace LoanOffers.Grains;

/// <summary>
/// The nightly metrics aggregation: every program's running totals per run, tier and channel (from the funnel of each
/// completed run it keeps) and each tier's live offers (from the candidate index).
/// </summary>
public sealed class OriginationAggregator(IGrainFactory grains, FunnelLedger funnel, CandidateIndex candidates)
{
    public async Task<IReadOnlyList<OriginationTotals>> TakeAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var totals = new List<OriginationTotals>();
        foreach (var program in await ProgramBook.ReadAllAsync(grains))
        {
            foreach (var run in program.Runs.Where(run => run.State == RunState.Completed))
            {
                foreach (var segment in await funnel.SegmentsAsync(program.ProgramId, run.RunId, program.Tiers, cancellationToken))
                {
                    totals.Add(new OriginationTotals(
                        program.ProgramId, run.RunId, segment.Tier, segment.Channel, null,
                        segment.Sent, segment.Opened, segment.Clicked, segment.Applied, segment.Funded, segment.Declined, segment.FundedVolume));
                }
            }

            foreach (var tier in program.Tiers)
            {
                totals.Add(OriginationTotals.Live(program.ProgramId, tier, await candidates.CountLiveAsync(program.ProgramId, tier, now, cancellationToken)));
            }
        }

        return totals;
    }
}
