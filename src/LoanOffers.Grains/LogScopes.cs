namespace LoanOffers.Grains;

/// <summary>
/// The scopes the engine's logs carry, so every line of a run or campaign names its program and run, and a
/// customer's failure names the customer: ids only, never personal data.
/// </summary>
public static class LogScopes
{
    public const string Run = "Program {ProgramId} run {RunId}";
    public const string Customer = "Customer {CustomerId}";
}
