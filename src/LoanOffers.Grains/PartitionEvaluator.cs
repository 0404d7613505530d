using LoanOffers.Abstractions;
using LoanOffers.Domain;
using LoanOffers.Storage.AzureTables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace LoanOffers.Grains;

/// <summary>
/// Evaluates one storage partition's customers for a run, then writes their candidate-index rows and appends their
/// firm-offer records, in bulk; only then is the partition done. Runs on the silo that read the partition ahead.
/// A customer no silo has active is evaluated straight from its prefetched row by the customer's own pipeline and its
/// row written back under the ETag it was read with, so a batch does not pay an activation per customer; an active
/// customer, and one whose row changed since it was read, goes through its grain. A fence on the partition across the
/// cluster (<see cref="PartitionFence"/>) tells which are active, and makes a customer activated meanwhile read its row again.
/// </summary>
public sealed partial class PartitionEvaluator(
    CustomerPipeline pipeline,
    CustomerGrains customers,
    CustomerActivations activations,
    CustomerActivationServiceClient activationServices,
    ISiloStatusOracle silos,
    [FromKeyedServices(EngineNames.CustomerStore)] IGrainStorage store,
    CandidateIndex index,
    FirmOfferRecordStore records,
    IOptions<EngineOptions> options,
    ILogger<PartitionEvaluator> logger)
{
    public async Task<PartitionReport> EvaluateAsync(int position, IReadOnlyList<CustomerProfile> partition, PartitionWorkContext run, CancellationToken cancellationToken)
    {
        var results = await EvaluateCustomersAsync(partition, run, cancellationToken);

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

    /// <summary>Each customer's run step, under a fence on the partition that stands until their rows are written.</summary>
    private async Task<CustomerResult[]> EvaluateCustomersAsync(IReadOnlyList<CustomerProfile> partition, PartitionWorkContext run, CancellationToken cancellationToken)
    {
        var results = new CustomerResult[partition.Count];
        if (partition.Count == 0)
        {
            return results;
        }

        var day = DateOnly.FromDateTime(run.AsOf.UtcDateTime);
        var fenced = activations.PartitionOf(CustomerGrains.IdOf(partition[0]));
        await using var fence = await PartitionFence.OpenAsync(activationServices, silos, fenced, logger);
        await Parallel.ForEachAsync(
            Enumerable.Range(0, partition.Count),
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.EvaluationsPerPartition, CancellationToken = cancellationToken },
            async (slot, _) =>
            {
                var profile = partition[slot];
                try
                {
                    var command = new EvaluateCustomer(run.RunId, run.Program, profile, run.AsOf);
                    var id = CustomerGrains.IdOf(profile);
                    var evaluation = fence is null || fence.Active.Contains(profile.CustomerId) || activations.PartitionOf(id) != fenced
                        ? await customers.Get(profile.CustomerId).Evaluate(command)
                        : await EvaluateUnactivatedAsync(id, command);
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

        return results;
    }

    /// <summary>
    /// The customer's run step on its row, without an activation. A row changed since it was read (an event, an
    /// acceptance, another program's run) fails the ETag check, and the customer is evaluated again by its grain,
    /// which reads the row afresh.
    /// </summary>
    private async Task<CustomerEvaluation> EvaluateUnactivatedAsync(GrainId id, EvaluateCustomer command)
    {
        var row = new GrainState<CustomerState>();
        await store.ReadStateAsync(EngineNames.CustomerStateName, id, row);
        var step = await pipeline.RunAsync(row.State ?? new CustomerState(), command);
        if (step.Next is not { } next)
        {
            return step.Evaluation;
        }

        row.State = next;
        try
        {
            await store.WriteStateAsync(EngineNames.CustomerStateName, id, row);
            return step.Evaluation;
        }
        catch (InconsistentStateException)
        {
            return await customers.Get(command.Profile.CustomerId).Evaluate(command);
        }
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
