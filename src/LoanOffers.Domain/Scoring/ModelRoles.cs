namespace LoanOffers.Domain;

/// <summary>What a scoring model predicts, as its card says; the engine picks a program's models by it.</summary>
public static class ModelRoles
{
    /// <summary>The probability the bank would approve the customer's application.</summary>
    public const string Approval = "approval";

    /// <summary>The customer's annual probability of default.</summary>
    public const string DefaultRisk = "default-risk";

    public static readonly IReadOnlyList<string> All = [Approval, DefaultRisk];
}
