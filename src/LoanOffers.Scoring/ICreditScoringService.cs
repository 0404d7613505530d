using LoanOffers.Domain;

namespace LoanOffers.Scoring;

/// <summary>Scores a customer with the program's approval model (first) and default-risk model (second).</summary>
public interface ICreditScoringService
{
    ValueTask<ModelScores> ScoreAsync(CustomerProfile profile, ProgramConfig program, CancellationToken cancellationToken = default);
}
