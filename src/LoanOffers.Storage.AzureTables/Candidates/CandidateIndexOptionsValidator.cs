using Microsoft.Extensions.Options;

namespace LoanOffers.Storage.AzureTables;

public sealed class CandidateIndexOptionsValidator : IValidateOptions<CandidateIndexOptions>
{
    public ValidateOptionsResult Validate(string? name, CandidateIndexOptions options)
    {
        var errors = new List<string>();
        options.ValidateConnection("Candidate index", errors);
        if (options.PageCount is < 1 or > 9999)
        {
            errors.Add($"Candidate index: {nameof(options.PageCount)} must be between 1 and 9999, not {options.PageCount}.");
        }

        if (string.IsNullOrWhiteSpace(options.CustomerGrainType))
        {
            errors.Add($"Candidate index: set {nameof(options.CustomerGrainType)}.");
        }

        if (!TableNames.IsValidTableName(options.TablePrefix + "AmountPages"))
        {
            errors.Add($"Candidate index: '{options.TablePrefix}' does not make valid table names (3-63 letters or digits, starting with a letter).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
