using Microsoft.Extensions.Options;

namespace LoanOffers.Storage.AzureTables;

public sealed class CandidateIndexOptionsValidator : IValidateOptions<CandidateIndexOptions>
{
    public ValidateOptionsResult Validate(string? name, CandidateIndexOptions options)
    {
        var errors = new List<string>();
        options.ValidateConnection("Candidate index", errors);
        if (options.ShardCount is < 1 or > 64)
        {
            errors.Add($"Candidate index: {nameof(options.ShardCount)} must be between 1 and 64, not {options.ShardCount}.");
        }

        if (string.IsNullOrWhiteSpace(options.CustomerGrainType))
        {
            errors.Add($"Candidate index: set {nameof(options.CustomerGrainType)}.");
        }

        if (!TableNames.IsValidTableName(options.TablePrefix + "ByAmount00"))
        {
            errors.Add($"Candidate index: '{options.TablePrefix}' does not make valid table names (3-63 letters or digits, starting with a letter).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
