namespace LoanOffers.Grains;

/// <summary>When the reports are made, in the bank's own time zone (seed 000: metrics nightly, origination 6:00, export Monday 4:15).</summary>
public sealed class ReportsOptions
{
    public const string Section = "Reports";

    /// <summary>The bank's time zone (IANA): business days begin and end at its midnight.</summary>
    public string TimeZone { get; set; } = "America/New_York";

    /// <summary>The nightly metrics aggregation: the day just ended's totals.</summary>
    public string NightlySchedule { get; set; } = "30 1 * * *";

    /// <summary>The daily origination report of the day before.</summary>
    public string DailySchedule { get; set; } = "0 6 * * *";

    /// <summary>The weekly warehouse export of the week just ended.</summary>
    public string ExportSchedule { get; set; } = "15 4 * * 1";

    /// <summary>The blob container the warehouse export writes to.</summary>
    public string ExportContainer { get; set; } = "warehouse";

    /// <summary>How often the reminder looks for a report that is due.</summary>
    public TimeSpan CheckPeriod { get; set; } = TimeSpan.FromMinutes(5);
}
