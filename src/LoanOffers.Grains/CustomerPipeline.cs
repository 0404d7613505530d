using LoanOffers.Abstractions;
using LoanOffers.Domain;
using LoanOffers.Scoring;

namespace LoanOffers.Grains;

/// <summary>What a run's step leaves: the customer's next state (null when the run had already decided it) and the batch's summary.</summary>
public sealed record CustomerRunStep(CustomerState? Next, CustomerEvaluation Evaluation);

/// <summary>
/// The one decision pipeline a customer goes through (filters, the program's models, then tier, risk, behaviour and
/// offers), and a run's step with it: the decision, the offers it makes or withdraws, and the state that follows.
/// The customer grain and a batch's evaluation of a customer with no activation share it, so both decide alike.
/// </summary>
public sealed class CustomerPipeline(ICreditScoringService scoring)
{
    /// <summary>
    /// A run's decision for a customer whose state is <paramref name="current"/>. A customer the run already decided
    /// gets that stored decision back and no next state, so a partition redone after a crash offers nobody twice.
    /// </summary>
    public async Task<CustomerRunStep> RunAsync(CustomerState current, EvaluateCustomer command)
    {
        var programId = command.Program.ProgramId;
        var standing = current.Programs.GetValueOrDefault(programId);
        if (standing?.Decision.RunId == command.RunId)
        {
            return new CustomerRunStep(null, Summarize(standing.Decision, standing.IndexedCandidate, replaced: null, fromStoredDecision: true) with
            {
                Record = RecordOf(standing.Decision, current.Profile),
            });
        }

        var profile = Merged(command.Profile, current.LastOfferAt);
        var decision = await DecideAsync(current, profile, command.Program, command.Now, command.RunId);

        var nextStanding = new ProgramStanding
        {
            Decision = decision,
            EarlierOffers = standing?.LiveOffers ?? [],
            OffersRunId = standing?.OffersRunId,
            OffersConfigVersion = standing?.OffersConfigVersion ?? 0,
            IndexedCandidate = standing?.IndexedCandidate,
            Withdrawals = standing?.Withdrawals ?? [],
        };
        var next = current with { Profile = profile };
        CandidateEntry? replaced = null;
        var withdrawn = 0;
        if (NoLongerQualifies(decision) && standing?.LiveAt(command.Now).ToList() is { Count: > 0 } live)
        {
            // Offers stand only while the customer meets what they were made on; the contact window is not such a
            // criterion (it only stops a new solicitation), so a window rejection keeps the offers.
            withdrawn = live.Count;
            replaced = standing.IndexedCandidate;
            nextStanding = nextStanding.Withdraw(new OfferWithdrawal(
                command.Now, command.RunId, decision.FilterResult.Passed ? "NO_OFFER" : decision.FilterResult.ReasonCode ?? "REJECTED",
                decision.Reasons.LastOrDefault() ?? string.Empty, [.. live.Select(offer => offer.OfferId)]));
        }

        if (decision.Outcome == DecisionOutcome.Offered && decision.Offers.Count > 0)
        {
            var best = decision.Offers[0];
            var candidate = new CandidateEntry(
                programId, profile.CustomerId, decision.Tier ?? best.Tier, decision.ApprovalProbability ?? 0,
                best.Amount, best.Roi, best.Apr, command.Now, best.ExpiresAt);
            replaced = standing?.IndexedCandidate;
            nextStanding = nextStanding with { EarlierOffers = [], OffersRunId = command.RunId, OffersConfigVersion = command.Program.Version, IndexedCandidate = candidate };
            next = next.WithContact(new ContactRecord(command.Now, programId, command.RunId, "pre-approved-offer", best.Amount)) with { LastOfferAt = command.Now };
        }

        return new CustomerRunStep(
            next with { Programs = current.Programs.SetItem(programId, nextStanding) },
            Summarize(decision, nextStanding.IndexedCandidate, replaced, fromStoredDecision: false) with
            {
                OffersWithdrawn = withdrawn,
                Record = RecordOf(decision, profile),
            });
    }

    /// <summary>The decision for a profile under a program: filters, the program's models, then tier, risk, behaviour and offers.</summary>
    public async Task<CustomerDecision> DecideAsync(
        CustomerState current, CustomerProfile profile, ProgramConfig program, DateTimeOffset now, string runId, decimal? requestedAmount = null, int? requestedTenure = null)
    {
        var chain = FilterChainCache.For(program);
        var filter = chain.Evaluate(profile, now);
        var scores = filter.Passed ? await scoring.ScoreAsync(profile, program) : null;
        return CustomerEvaluator.Evaluate(
            new EvaluationInput
            {
                Profile = profile,
                Program = program,
                Scores = scores,
                Signals = current.Responses?.DecayedTo(now),
                Now = now,
                RunId = runId,
                RequestedAmount = requestedAmount,
                RequestedTenure = requestedTenure,
            },
            chain);
    }

    /// <summary>
    /// The source's profile with what only the engine knows: the source does not know which offers this engine made,
    /// so the later of the two counts for the contact window; the time zone comes from the state when the source has none.
    /// </summary>
    public static CustomerProfile Merged(CustomerProfile source, DateTimeOffset? engineLastOffer) => source with
    {
        LastOfferAt = Latest(source.LastOfferAt, engineLastOffer),
        TimeZone = source.TimeZone ?? UsStates.TimeZoneOf(source.State),
    };

    private static CustomerEvaluation Summarize(CustomerDecision decision, CandidateEntry? candidate, CandidateEntry? replaced, bool fromStoredDecision) => new(
        decision.CustomerId,
        decision.Outcome,
        decision.FilterResult.Passed ? null : decision.FilterResult.FilterId,
        decision.Tier,
        decision.Outcome == DecisionOutcome.Offered ? decision.Offers.Count : 0,
        decision.Outcome == DecisionOutcome.Offered ? candidate : null,
        replaced,
        fromStoredDecision)
    {
        ApprovalScore = decision.ApprovalProbability,
        Challenged = ChallengedDecision.Of(decision),
    };

    private static FirmOfferRecord? RecordOf(CustomerDecision decision, CustomerProfile? profile) =>
        decision.Outcome == DecisionOutcome.Offered && decision.Offers.Count > 0 && profile is not null ? FirmOfferRecord.Of(decision, profile) : null;

    private static bool NoLongerQualifies(CustomerDecision decision) =>
        decision.Outcome != DecisionOutcome.Offered && decision.FilterResult.ReasonCode != FilterReasonCodes.RecentOffer;

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
