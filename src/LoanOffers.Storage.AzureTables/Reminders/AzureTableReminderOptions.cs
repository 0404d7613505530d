namespace LoanOffers.Storage.AzureTables;

public sealed class AzureTableReminderOptions() : AzureSingleTableOptions("OrleansReminders");
