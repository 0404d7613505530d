namespace LoanOffers.Domain;

/// <summary>The 50 states and DC. Territories are left out: their lending law is not this program's.</summary>
public static class UsStates
{
    public static readonly IReadOnlySet<string> Codes = new HashSet<string>(StringComparer.Ordinal)
    {
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
        "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC",
        "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
    };

    /// <summary>Age of majority, i.e. capacity to sign a loan contract: 18 except Alabama and Nebraska (19) and Mississippi (21).</summary>
    public static int AgeOfMajority(string state) => state switch
    {
        "AL" or "NE" => 19,
        "MS" => 21,
        _ => 18,
    };

    /// <summary>
    /// The IANA time zone most of a state's people live in; a customer elsewhere in a split state has its own zone
    /// stored in its profile.
    /// </summary>
    public static string TimeZoneOf(string state) => state switch
    {
        "AL" or "AR" or "IL" or "IA" or "KS" or "LA" or "MN" or "MS" or "MO" or "NE" or "ND" or "OK" or "SD" or "TN" or "TX" or "WI" => "America/Chicago",
        "CO" or "MT" or "NM" or "UT" or "WY" => "America/Denver",
        "ID" => "America/Boise",
        "AZ" => "America/Phoenix",
        "CA" or "NV" or "OR" or "WA" => "America/Los_Angeles",
        "AK" => "America/Anchorage",
        "HI" => "Pacific/Honolulu",
        "MI" => "America/Detroit",
        "IN" => "America/Indiana/Indianapolis",
        "KY" => "America/Kentucky/Louisville",
        _ => "America/New_York",
    };
}
