using Orleans;
using Orleans.Runtime;

namespace LoanOffers.Storage.AzureTables;

public sealed class AzureTableReminderOptions : AzureTableConnectionOptions
{
    public string TableName { get; set; } = "OrleansReminders";
}

public sealed class AzureTableReminderOptionsValidator(AzureTableReminderOptions options) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        var errors = new List<string>();
        options.ValidateConnection("Azure table reminders", errors);
        if (!TableNames.IsValidTableName(options.TableName))
        {
            errors.Add($"Azure table reminders: '{options.TableName}' is not a valid table name.");
        }

        if (errors.Count > 0)
        {
            throw new OrleansConfigurationException(string.Join(Environment.NewLine, errors));
        }
    }
}
