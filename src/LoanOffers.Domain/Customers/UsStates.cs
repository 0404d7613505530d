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
}
