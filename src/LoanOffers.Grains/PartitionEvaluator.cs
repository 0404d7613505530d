using LoanOffers.Abstractions;
using LoanOffers.Domain;
using LoanOffers.Storage.AzureTables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace LoanOffers.Grains;

/// <summary>
/// Evaluates one storage partition's customers for a run, then writes their candidate-index rows and appends their
/// firm-offer records, in bulk; only then is the partition done. Runs on the silo that read the partition ahead, so the customers activate next to their rows.
/// </summary>
public sealed partial class PartitionEvaluator(
    CustomerGrains customers,
    CandidateIndex index,
    FirmOfferRecordStore records,
    IOptions<EngineOptions> options,
    ILogger<PartitionEvaluator> logger)
{
    public async Task<PartitionReport> EvaluateAsync(int position, IReadOnlyList<CustomerProfile> partition, PartitionWorkContext run, CancellationToken cancellationToken)
    {
        var results = new CustomerResult[partition.Count];
        var day = DateOnly.FromDateTime(run.AsOf.UtcDateTime);
        await Parallel.ForEachAsync(
            Enumerable.Range(0, partition.Count),
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.EvaluationsPerPartition, CancellationToken = cancellationToken },
            async (slot, _) =>
            {
                var profile = partition[slot];
                try
                {
                    var evaluation = await customers.Get(profile.CustomerId).Evaluate(new EvaluateCustomer(run.RunId, run.Program, profile, run.AsOf));
                    results[slot] = new CustomerResult(evaluation, null) { Groups = FairnessGroups.Of(profile, day) };
                }
                catch (Exception failure) when (!StorageFaults.IsRetryableInBatch(failure))
                {
                    // One customer's lasting failure is counted and reported; the run goes on with the others. A
                    // transient one stops the partition instead, so the run pauses and redoes it from its checkpoint.
                    LogCustomerFailed(failure, profile.CustomerId, run.RunId);
                    results[slot] = new CustomerResult(null, $"{profile.CustomerId}: {StorageFaults.Describe(failure)}");
                }
            });

        // Both writes are idempotent, so a partition redone after a crash re-indexes and re-records the decisions it had stored.
        var evaluations = results.Select(result => result.Evaluation).OfType<CustomerEvaluation>().ToList();
        await Task.WhenAll(
            index.WriteAsync(
                evaluations.Select(evaluation => evaluation.Candidate).OfType<CandidateEntry>().ToList(),
                evaluations.Select(evaluation => evaluation.ReplacedCandidate).OfType<CandidateEntry>().ToList(),
                cancellationToken),
            records.AppendAsync(evaluations.Select(evaluation => evaluation.Record).OfType<FirmOfferRecord>().ToList(), cancellationToken));
        var report = Summarize(position, results);
        Measure(report, run.Program.ProgramId);
        return report;
    }

    private static void Measure(PartitionReport report, string programId)
    {
        var program = new KeyValuePair<string, object?>("program", programId);
        EngineMeters.CustomersEvaluated.Add(report.Processed - report.Errors, program);
        EngineMeters.EvaluationErrors.Add(report.Errors, program);
        foreach (var (tier, count) in report.OffersByTier)
        {
            EngineMeters.Offers.Add(count, program, new("tier", tier));
        }

        foreach (var (filter, count) in report.RejectedByFilter)
        {
            EngineMeters.Rejections.Add(count, program, new("filter", filter));
        }
    }

    /// <summary>The counters of a partition's results.</summary>
    internal static PartitionReport Summarize(int position, IReadOnlyList<CustomerResult> results)
    {
        var rejected = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var tiers = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var groups = new Dictionary<string, GroupOutcomes>(StringComparer.Ordinal);
        var challengers = new Dictionary<string, ChallengerTally>(StringComparer.Ordinal);
        int offered = 0, noOffer = 0, offersMade = 0, errors = 0, replayed = 0, withdrawn = 0;
        string? lastError = null;
        foreach (var result in results)
        {
            if (result.Evaluation is not { } evaluation)
            {
                errors++;
                lastError = result.Error;
                continue;
            }

            foreach (var group in result.Groups)
            {
                groups[group] = groups.GetValueOrDefault(group, GroupOutcomes.None)
                    .With(evaluation.Outcome == DecisionOutcome.Offered, evaluation.ApprovalScore, evaluation.RejectedBy);
            }

            if (evaluation.Challenged is { } challenged)
            {
                ChallengerTally.Add(challengers, challenged);
            }

            replayed += evaluation.FromStoredDecision ? 1 : 0;
            withdrawn += evaluation.OffersWithdrawn > 0 ? 1 : 0;
            switch (evaluation.Outcome)
            {
                case DecisionOutcome.Offered:
                    offered++;
                    offersMade += evaluation.OffersMade;
                    tiers[evaluation.Tier ?? "unknown"] = tiers.GetValueOrDefault(evaluation.Tier ?? "unknown") + 1;
                    break;
                case DecisionOutcome.Rejected:
                    rejected[evaluation.RejectedBy ?? "unknown"] = rejected.GetValueOrDefault(evaluation.RejectedBy ?? "unknown") + 1;
                    break;
                default:
                    noOffer++;
                    break;
            }
        }

        return new PartitionReport(position, results.Count, offered, noOffer, offersMade, errors, replayed, rejected, tiers, lastError)
        {
            Withdrawn = withdrawn,
            Groups = groups,
            Challengers = challengers,
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Customer {CustomerId} failed in run {RunId}")]
    private partial void LogCustomerFailed(Exception failure, string customerId, string runId);
}

/// <summary>One customer's evaluation in a run, or the error that stopped it, and the fairness groups the customer is in.</summary>
internal sealed record CustomerResult(CustomerEvaluation? Evaluation, string? Error)
{
    public IReadOnlyList<string> Groups { get; init; } = [];
}
