using Orleans;
using Orleans.Runtime;

namespace LoanOffers.Storage.AzureTables;

/// <summary>Fails silo start-up with every problem of a grain-storage provider's options named.</summary>
public sealed class PartitionedTableGrainStorageOptionsValidator(PartitionedTableGrainStorageOptions options, string name) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        var component = $"Partitioned table grain storage '{name}'";
        var errors = new List<string>();
        options.ValidateConnection(component, errors);

        if (options.TableCount is < 1 or > 100)
        {
            errors.Add($"{component}: {nameof(options.TableCount)} must be between 1 and 100, not {options.TableCount}.");
        }

        if (options.PartitionsPerTable is < 1 or > 4096)
        {
            errors.Add($"{component}: {nameof(options.PartitionsPerTable)} must be between 1 and 4096, not {options.PartitionsPerTable}.");
        }

        if (options.MaxBatchSize is < 1 or > PartitionedTableGrainStorageOptions.MaxTransactionSize)
        {
            errors.Add($"{component}: {nameof(options.MaxBatchSize)} must be between 1 and 100, not {options.MaxBatchSize}.");
        }

        if (options.MaxConcurrentBatchesPerPartition < 1)
        {
            errors.Add($"{component}: {nameof(options.MaxConcurrentBatchesPerPartition)} must be at least 1.");
        }

        foreach (var table in GrainStateLayout.TableNamesFor(options.TableName, options.TableCount))
        {
            if (!TableNames.IsValidTableName(table))
            {
                errors.Add($"{component}: '{table}' is not a valid table name (3-63 letters or digits, starting with a letter).");
                break;
            }
        }

        if (options.PreviousLayout is { } previous
            && GrainStateLayout.TableNamesFor(previous.TableName, previous.TableCount)
                .Intersect(GrainStateLayout.TableNamesFor(options.TableName, options.TableCount), StringComparer.OrdinalIgnoreCase).Any())
        {
            errors.Add($"{component}: {nameof(options.PreviousLayout)} must name other tables than {nameof(options.TableName)} '{options.TableName}'.");
        }

        if (errors.Count > 0)
        {
            throw new OrleansConfigurationException(string.Join(Environment.NewLine, errors));
        }
    }
}
