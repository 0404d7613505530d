using LoanOffers.Domain;
using Microsoft.Extensions.Options;

namespace LoanOffers.Grains;

/// <summary>Fails start-up naming every report setting that cannot work.</summary>
public sealed class ReportsOptionsValidator : IValidateOptions<ReportsOptions>
{
    public ValidateOptionsResult Validate(string? name, ReportsOptions options)
    {
        var errors = new List<string>();
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(options.TimeZone, out _))
        {
            errors.Add($"{ReportsOptions.Section}:{nameof(options.TimeZone)} '{options.TimeZone}' is not a time zone this machine knows.");
        }

        foreach (var (setting, expression) in new[] { (nameof(options.NightlySchedule), options.NightlySchedule), (nameof(options.DailySchedule), options.DailySchedule), (nameof(options.ExportSchedule), options.ExportSchedule) })
        {
            if (!ScheduleExpression.TryParse(expression, out _, out var error))
            {
                errors.Add($"{ReportsOptions.Section}:{setting}: {error}");
            }
        }

        // Azure's container naming rule: 3-63 lower-case letters, digits and single hyphens.
        if (!System.Text.RegularExpressions.Regex.IsMatch(options.ExportContainer, "^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$"))
        {
            errors.Add($"{ReportsOptions.Section}:{nameof(options.ExportContainer)} '{options.ExportContainer}' is not a blob container name.");
        }

        // Orleans reminders fire at most once a minute.
        if (options.CheckPeriod < TimeSpan.FromMinutes(1))
        {
            errors.Add($"{ReportsOptions.Section}:{nameof(options.CheckPeriod)} must be at least a minute.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
