using LoanOffers.Abstractions;
using LoanOffers.Storage.AzureTables;
using Orleans;

namespace LoanOffers.Grains;

[GenerateSerializer, Immutable, Alias("loanoffers.ApplicationState")]
public sealed record ApplicationState
{
    [Id(0)] public LoanApplication? Application { get; init; }
}

/// <remarks>Its state holds the applicant's verified values, so it lives in the customers' (encrypted) store.</remarks>
[GrainType(EngineNames.ApplicationGrainType)]
public sealed class ApplicationGrain(
    [PersistentState("application", EngineNames.CustomerStore)] IPersistentState<ApplicationState> state,
    ApplicationLedger ledger,
    FunnelLedger funnel) : Grain, IApplicationGrain
{
    public async Task Open(LoanApplication application)
    {
        if (state.State.Application is null)
        {
            state.State = new ApplicationState { Application = application };
            await state.WriteStateAsync();
        }

        // Written on every open, so an open whose ledger write failed is completed when the acceptance is repeated.
        await RecordAsync(state.State.Application!);
    }

    public Task<LoanApplication?> Get() => Task.FromResult(state.State.Application);

    public async Task<(OutcomeResult Result, LoanApplication? Application)> RecordOutcome(ApplicationOutcome outcome)
    {
        if (state.State.Application is not { } application)
        {
            return (OutcomeResult.UnknownApplication, null);
        }

        if (application.Outcome is { } recorded)
        {
            if (!SameOutcome(recorded, outcome))
            {
                return (OutcomeResult.Conflict, application);
            }

            // Told again: finish what an interrupted first recording may have left undone (the writes are idempotent).
            await RecordAsync(application);
            return (OutcomeResult.AlreadyRecorded, application);
        }

        var decided = application with { Status = outcome.Outcome, Outcome = outcome };
        state.State = state.State with { Application = decided };
        await state.WriteStateAsync();
        await RecordAsync(decided);
        return (OutcomeResult.Recorded, decided);
    }

    /// <summary>The application in the ledger and in its run's funnel.</summary>
    private async Task RecordAsync(LoanApplication application)
    {
        await ledger.WriteAsync(application);
        if (application.RunId is { } runId)
        {
            await funnel.RecordAsync(new FunnelEvent(application.ProgramId, runId, application.CustomerId, application.Offer.Tier)
            {
                AppliedVia = application.AppliedVia ?? FunnelLedger.Direct,
                Outcome = application.Outcome?.Outcome,
                FundedAmount = application.Outcome?.FundedAmount,
            });
        }
    }

    private static bool SameOutcome(ApplicationOutcome recorded, ApplicationOutcome outcome) =>
        recorded.Outcome == outcome.Outcome
        && recorded.FundedAmount == outcome.FundedAmount
        && recorded.FundedOn == outcome.FundedOn
        && recorded.DeclineReasons.SequenceEqual(outcome.DeclineReasons);
}
