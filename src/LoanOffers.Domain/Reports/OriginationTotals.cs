namespace LoanOffers.Domain.Reports;

/// <summary>
/// A running total taken by the nightly aggregation at the end of a business day. Either one run's funnel so far in a
/// tier and channel (<see cref="RunId"/> set), or a tier's live offers then (<see cref="RunId"/> null, channel
/// <see cref="AllChannels"/>). Totals are kept per run so that a run leaving the program's history takes its totals
/// out of both days it is compared between, not out of one.
/// </summary>
public sealed record OriginationTotals(
    string ProgramId,
    string? RunId,
    string Tier,
    string Channel,
    int? OffersLive,
    int Sent,
    int Opened,
    int Clicked,
    int Applied,
    int Funded,
    int Declined,
    decimal FundedVolume)
{
    /// <summary>The channel of a tier's row over all channels, and of its live offers.</summary>
    public const string AllChannels = "all";

    /// <summary>A tier's live offers at the end of the day.</summary>
    public static OriginationTotals Live(string programId, string tier, int offersLive) =>
        new(programId, null, tier, AllChannels, offersLive, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>What this total gained since <paramref name="earlier"/>, the same total a day before (null: it did not exist yet).</summary>
    public OriginationActivity Since(OriginationTotals? earlier) => new(
        Sent - (earlier?.Sent ?? 0),
        Opened - (earlier?.Opened ?? 0),
        Clicked - (earlier?.Clicked ?? 0),
        Applied - (earlier?.Applied ?? 0),
        Funded - (earlier?.Funded ?? 0),
        Declined - (earlier?.Declined ?? 0),
        FundedVolume - (earlier?.FundedVolume ?? 0));
}

/// <summary>
/// A business day's activity: messages sent, opens, clicks, applications, approvals (an application is approved when
/// its loan is funded), declines and funded volume.
/// </summary>
public sealed record OriginationActivity(int Sent, int Opened, int Clicked, int Applied, int Funded, int Declined, decimal FundedVolume)
{
    public static readonly OriginationActivity None = new(0, 0, 0, 0, 0, 0, 0);

    public OriginationActivity Plus(OriginationActivity other) => new(
        Sent + other.Sent, Opened + other.Opened, Clicked + other.Clicked, Applied + other.Applied, Funded + other.Funded, Declined + other.Declined,
        FundedVolume + other.FundedVolume);
}
