using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Cronos;

namespace LoanOffers.Domain;

/// <summary>
/// A batch schedule: either AWS EventBridge style as in seed 000 (<c>cron(0 2 ? * MON *)</c>: minute, hour,
/// day of month, month, day of week 1-7 = SUN-SAT, year) or a standard five-field cron expression.
/// AWS expressions are translated to Cronos; the year field must be <c>*</c> because Cronos has none.
/// </summary>
public sealed partial class ScheduleExpression
{
    private readonly CronExpression _cron;

    private ScheduleExpression(string text, string cronText, CronExpression cron)
    {
        Text = text;
        CronText = cronText;
        _cron = cron;
    }

    /// <summary>The expression as configured.</summary>
    public string Text { get; }

    /// <summary>The equivalent five-field Cronos expression.</summary>
    public string CronText { get; }

    /// <summary>The first occurrence strictly after <paramref name="from"/>, read in <paramref name="timeZone"/>.</summary>
    public DateTimeOffset? GetNextOccurrence(DateTimeOffset from, TimeZoneInfo timeZone) =>
        _cron.GetNextOccurrence(from, timeZone);

    public static ScheduleExpression Parse(string text) =>
        TryParse(text, out var schedule, out var error) ? schedule : throw new FormatException(error);

    public static bool TryParse(string? text, [NotNullWhen(true)] out ScheduleExpression? schedule, [NotNullWhen(false)] out string? error)
    {
        schedule = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "is required";
            return false;
        }

        var trimmed = text.Trim();
        string cronText;
        if (trimmed.StartsWith("cron(", StringComparison.OrdinalIgnoreCase) && trimmed.EndsWith(')'))
        {
            var fields = trimmed[5..^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 6)
            {
                error = $"'{text}': an AWS cron expression has 6 fields (minutes hours day-of-month month day-of-week year), found {fields.Length}";
                return false;
            }

            if (fields[5] != "*")
            {
                error = $"'{text}': the year field must be '*'";
                return false;
            }

            cronText = string.Join(' ', fields[0], fields[1], fields[2], fields[3], AwsDayOfWeekNumber().Replace(fields[4], m => (int.Parse(m.Value) - 1).ToString()));
        }
        else
        {
            cronText = trimmed;
        }

        try
        {
            schedule = new ScheduleExpression(text, cronText, CronExpression.Parse(cronText, CronFormat.Standard));
            error = null;
            return true;
        }
        catch (CronFormatException ex)
        {
            error = $"'{text}' is not a valid cron expression: {ex.Message}";
            return false;
        }
    }

    // AWS numbers days 1-7 from Sunday, Cronos 0-6; numbers after '#' (nth weekday) or '/' (step) are not days.
    [GeneratedRegex(@"(?<![#/\d])[1-7](?!\d)")]
    private static partial Regex AwsDayOfWeekNumber();
}
