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
    ApplicationLedger ledger) : Grain, IApplicationGrain
{
    public async Task Open(LoanApplication application)
    {
        if (state.State.Application is null)
        {
            state.State = new ApplicationState { Application = application };
            await state.WriteStateAsync();
        }

        // Written on every open, so an open whose ledger write failed is completed when the acceptance is repeated.
        await ledger.WriteAsync(state.State.Application!);
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

            // Told again: finish what an interrupted first recording may have left undone (the write is idempotent).
            await ledger.WriteAsync(application);
            return (OutcomeResult.AlreadyRecorded, application);
        }

        var decided = application with { Status = outcome.Outcome, Outcome = outcome };
        state.State = state.State with { Application = decided };
        await state.WriteStateAsync();
        await ledger.WriteAsync(decided);
        return (OutcomeResult.Recorded, decided);
    }

    private static bool SameOutcome(ApplicationOutcome recorded, ApplicationOutcome outcome) =>
        recorded.Outcome == outcome.Outcome
        && recorded.FundedAmount == outcome.FundedAmount
        && recorded.FundedOn == outcome.FundedOn
        && recorded.DeclineReasons.SequenceEqual(outcome.DeclineReasons);
}
