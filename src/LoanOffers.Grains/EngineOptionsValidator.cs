using Microsoft.Extensions.Options;

namespace LoanOffers.Grains;

/// <summary>Fails start-up naming every engine setting that cannot work.</summary>
public sealed class EngineOptionsValidator : IValidateOptions<EngineOptions>
{
    public ValidateOptionsResult Validate(string? name, EngineOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add($"Engine:{nameof(options.DataDirectory)} must name a folder.");
        }

        if (options.PartitionConcurrency is < 1 or > 256)
        {
            errors.Add($"Engine:{nameof(options.PartitionConcurrency)} must be between 1 and 256, not {options.PartitionConcurrency}.");
        }

        if (options.EvaluationsPerPartition is < 1 or > 10_000)
        {
            errors.Add($"Engine:{nameof(options.EvaluationsPerPartition)} must be between 1 and 10000, not {options.EvaluationsPerPartition}.");
        }

        if (options.PartitionsPerCheckpoint < 1)
        {
            errors.Add($"Engine:{nameof(options.PartitionsPerCheckpoint)} must be at least 1.");
        }

        if (options.ScheduleCheckPeriod < TimeSpan.FromMinutes(1))
        {
            errors.Add($"Engine:{nameof(options.ScheduleCheckPeriod)} must be at least one minute (Orleans' shortest reminder period).");
        }

        if (options.StorageOutageLimit <= TimeSpan.Zero || options.MaxRetryDelay <= TimeSpan.Zero)
        {
            errors.Add($"Engine:{nameof(options.StorageOutageLimit)} and Engine:{nameof(options.MaxRetryDelay)} must be positive.");
        }

        if (options.RunHistory < 1)
        {
            errors.Add($"Engine:{nameof(options.RunHistory)} must be at least 1.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
