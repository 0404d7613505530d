using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LoanOffers.Server.Apis;

/// <summary>Checks on what callers send before it reaches a grain key, a storage key or a query.</summary>
internal static partial class ApiValidation
{
    public const string IdRule = "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex IdPattern();

    public static bool IsValidId(string? value) => value is not null && IdPattern().IsMatch(value);

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors) => TypedResults.ValidationProblem(errors);

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    /// <summary>The one answer for a customer the engine does not know or the caller may not reach.</summary>
    public static ProblemHttpResult UnknownCustomer(string customerId) => NotFound($"Customer '{customerId}' is unknown to the engine.");
}
