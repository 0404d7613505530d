using System.Globalization;

namespace LoanOffers.Domain;

/// <summary>A program's SMS text with its placeholders filled: <c>{loanAmount}</c>, <c>{apr}</c> and <c>{link}</c>.</summary>
public static class SmsText
{
    /// <summary>Two SMS segments' worth, less room for the amount, rate and link the placeholders become.</summary>
    public const int MaxTemplateLength = 240;

    public static string Render(string template, decimal loanAmount, decimal apr, string link) => template
        .Replace("{loanAmount}", loanAmount.ToString("#,0", CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{apr}", apr.ToString("0.##", CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{link}", link, StringComparison.Ordinal);
}
