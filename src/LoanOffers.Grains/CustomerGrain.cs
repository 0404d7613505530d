using LoanOffers.Abstractions;
using LoanOffers.Domain;
using LoanOffers.Scoring;
using System.Text.Json;
using Orleans;
using Orleans.Concurrency;
using Orleans.Placement;

namespace LoanOffers.Grains;

/// <summary>Everything the engine knows of one customer, written once per run as one row.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.CustomerState")]
public sealed record CustomerState
{
    [Id(0)] public CustomerProfile? Profile { get; init; }
    [Id(1)] public CustomerDecision? Decision { get; init; }
    [Id(2)] public string? LastRunId { get; init; }
    /// <summary>
    /// Offers of an earlier run that are still live after a later decision without offers; empty while the latest
    /// decision holds the live offers itself, so a row never carries the same offers twice.
    /// </summary>
    [Id(3)] public IReadOnlyList<LoanOffer> EarlierOffers { get; init; } = [];
    [Id(4)] public string? OffersRunId { get; init; }
    [Id(5)] public DateTimeOffset? LastOfferAt { get; init; }
    [Id(6)] public CandidateEntry? IndexedCandidate { get; init; }
    [Id(7)] public IReadOnlyList<ContactRecord> ContactHistory { get; init; } = [];
}

/// <remarks>
/// Placed on the silo that first calls it: a batch reads each storage partition ahead on its own silo, so the
/// customers it evaluates must activate there to find their rows in that silo's read-ahead.
/// </remarks>
[GrainType(EngineNames.CustomerGrainType), PreferLocalPlacement]
public sealed class CustomerGrain(
    [PersistentState(EngineNames.CustomerStateName, EngineNames.CustomerStore)] IPersistentState<CustomerState> state,
    ICreditScoringService scoring,
    LocalOfferReads localReads,
    TimeProvider time) : Grain, ICustomerGrain
{
    private const int ContactHistoryLimit = 20;

    private Immutable<byte[]?> _offersJson;
    private Immutable<byte[]?> _customerOffersJson;
    private DateTimeOffset _offersJsonValidUntil = DateTimeOffset.MinValue;

    public async Task<CustomerEvaluation> Evaluate(EvaluateCustomer command)
    {
        var current = state.State;
        if (current.LastRunId == command.RunId && current.Decision is { } stored)
        {
            return Summarize(stored, current.IndexedCandidate, replaced: null, fromStoredDecision: true);
        }

        // The source does not know which offers this engine made; the grain does, and it wins for the 90-day window.
        var profile = command.Profile with { LastOfferAt = Latest(command.Profile.LastOfferAt, current.LastOfferAt) };
        var chain = FilterChainCache.For(command.Program);
        var filter = chain.Evaluate(profile, command.Now);
        var scores = filter.Passed ? await scoring.ScoreAsync(profile, command.Program) : null;
        var decision = CustomerEvaluator.Evaluate(
            new EvaluationInput { Profile = profile, Program = command.Program, Scores = scores, Now = command.Now, RunId = command.RunId },
            chain);

        var next = current with
        {
            Profile = profile,
            Decision = decision,
            LastRunId = command.RunId,
            EarlierOffers = current.Decision?.RunId == current.OffersRunId ? current.Decision?.Offers ?? [] : current.EarlierOffers,
        };
        CandidateEntry? replaced = null;
        if (decision.Outcome == DecisionOutcome.Offered && decision.Offers.Count > 0)
        {
            var best = decision.Offers[0];
            var candidate = new CandidateEntry(
                command.Program.ProgramId, profile.CustomerId, decision.Tier ?? best.Tier, decision.ApprovalProbability ?? 0,
                best.Amount, best.Roi, best.Apr, command.Now, best.ExpiresAt);
            replaced = current.IndexedCandidate;
            next = next with
            {
                EarlierOffers = [],
                OffersRunId = command.RunId,
                LastOfferAt = command.Now,
                IndexedCandidate = candidate,
                ContactHistory = [.. current.ContactHistory.TakeLast(ContactHistoryLimit - 1), new ContactRecord(command.Now, command.Program.ProgramId, command.RunId, "pre-approved-offer", best.Amount)],
            };
        }

        // Nothing may be served from the answer published for the old state once the new one can be read.
        localReads.Withdraw(this.GetPrimaryKeyString());
        _offersJsonValidUntil = DateTimeOffset.MinValue;
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // The write may or may not have landed (a timeout), so memory is no longer the truth: the next call
            // reads the row again in a fresh activation, and a redone run finds its stored decision there or not.
            state.State = current;
            DeactivateOnIdle();
            throw;
        }

        // A batch visits every customer once; the book stays in storage, not in memory, until an app asks for it.
        DeactivateOnIdle();
        return Summarize(decision, next.IndexedCandidate, replaced, fromStoredDecision: false);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        localReads.Withdraw(this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }

    public Task<CustomerOffers?> GetOffers() => Task.FromResult(ActiveOffers(time.GetUtcNow()));

    public Task<Immutable<byte[]?>> GetOffersJson(OfferAudience audience)
    {
        var now = time.GetUtcNow();
        if (now >= _offersJsonValidUntil)
        {
            var offers = ActiveOffers(now);
            _offersJson = new Immutable<byte[]?>(offers is null ? null : JsonSerializer.SerializeToUtf8Bytes(offers, ApiJson.Options));
            _customerOffersJson = new Immutable<byte[]?>(offers is null ? null : JsonSerializer.SerializeToUtf8Bytes(CustomerOffersView.From(offers), ApiJson.Options));
            _offersJsonValidUntil = offers?.Offers.Count > 0 ? offers.Offers.Min(offer => offer.ExpiresAt) : now.AddMinutes(1);
            localReads.Publish(this.GetPrimaryKeyString(), _offersJson.Value, _customerOffersJson.Value, _offersJsonValidUntil);
        }

        return Task.FromResult(audience == OfferAudience.Customer ? _customerOffersJson : _offersJson);
    }

    public async Task<RealTimeOffers?> RequestOffers(OfferRequestCommand command)
    {
        var current = state.State;
        if (current.Profile is null)
        {
            return null;
        }

        var profile = current.Profile;
        var chain = FilterChainCache.For(command.Program);
        var filter = chain.Evaluate(profile with { LastOfferAt = null }, command.Now);
        var scores = filter.Passed ? await scoring.ScoreAsync(profile, command.Program) : null;

        // A customer asking for offers is not a fresh solicitation, so the 90-day window does not apply here.
        var decision = CustomerEvaluator.Evaluate(
            new EvaluationInput
            {
                Profile = profile with { LastOfferAt = null },
                Program = command.Program,
                Scores = scores,
                Now = command.Now,
                RunId = "realtime",
                RequestedAmount = command.RequestedAmount,
                RequestedTenure = command.RequestedTenure,
            },
            chain);
        return new RealTimeOffers(profile.CustomerId, command.Program.ProgramId, decision.Offers, decision.Adjustments,
            decision.Outcome == DecisionOutcome.Offered ? null : decision.Reasons.LastOrDefault(), decision.Reasons);
    }

    public Task<CustomerDecision?> GetDecision() => Task.FromResult(state.State.Decision);

    public Task<IReadOnlyList<ContactRecord>> GetContacts() => Task.FromResult(state.State.ContactHistory);

    private CustomerOffers? ActiveOffers(DateTimeOffset now)
    {
        var current = state.State;
        if (current.Decision is null || current.Profile is null)
        {
            return null;
        }

        var live = current.OffersRunId == current.Decision.RunId ? current.Decision.Offers : current.EarlierOffers;
        var active = live.Where(offer => offer.ExpiresAt > now).ToList();
        return new CustomerOffers(
            current.Profile.CustomerId, current.Decision.ProgramId, current.IndexedCandidate?.Tier, current.Decision.EvaluatedAt, current.OffersRunId ?? current.Decision.RunId, active);
    }

    private static CustomerEvaluation Summarize(CustomerDecision decision, CandidateEntry? candidate, CandidateEntry? replaced, bool fromStoredDecision) => new(
        decision.CustomerId,
        decision.Outcome,
        decision.FilterResult.Passed ? null : decision.FilterResult.FilterId,
        decision.Tier,
        decision.Outcome == DecisionOutcome.Offered ? decision.Offers.Count : 0,
        decision.Outcome == DecisionOutcome.Offered ? candidate : null,
        replaced,
        fromStoredDecision);

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
