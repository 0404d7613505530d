using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace LoanOffers.Server.Hosting;

/// <summary>
/// A request the framework could not bind (malformed, empty or over-deep JSON, a wrong type, a query value that is not
/// a number, an unsupported media type or charset, a body over its limit) answers its 4xx as ProblemDetails naming the
/// field, the same in every environment, and never echoes the value sent.
/// </summary>
public sealed partial class BadRequestExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        var (field, message) = Describe(badRequest);
        httpContext.Response.StatusCode = badRequest.StatusCode;
        await problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new ValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
            {
                Status = badRequest.StatusCode,
                Title = badRequest.StatusCode switch
                {
                    StatusCodes.Status413PayloadTooLarge => "Request body too large",
                    StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
                    _ => "One or more validation errors occurred.",
                },
            },
        });
        return true;
    }

    private static (string Field, string Message) Describe(BadHttpRequestException exception)
    {
        if (exception.StatusCode is StatusCodes.Status413PayloadTooLarge or StatusCodes.Status415UnsupportedMediaType)
        {
            return StatusProblem(exception.StatusCode);
        }

        if (exception.InnerException is JsonException json)
        {
            var field = json.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "$";
            return field == "$"
                ? (field, "The body must be one JSON object of the documented shape.")
                : (field, $"{field} has the wrong type, is out of range or is nested too deep.");
        }

        var parameter = BoundParameter().Match(exception.Message);
        if (parameter.Success)
        {
            var name = parameter.Groups["name"].Value;
            var type = parameter.Groups["type"].Value;
            return (name, type.Contains("Int", StringComparison.OrdinalIgnoreCase)
                ? $"{name} must be a whole number in range."
                : type.Contains("Double", StringComparison.OrdinalIgnoreCase) || type.Contains("Decimal", StringComparison.OrdinalIgnoreCase)
                    ? $"{name} must be a number in range."
                    : $"{name} is not a valid value.");
        }

        return ("$", "The request needs one JSON object as its body.");
    }

    /// <summary>What a 413 or 415 says, whether the framework threw it or answered it on its own.</summary>
    public static (string Field, string Message) StatusProblem(int status) => status == StatusCodes.Status413PayloadTooLarge
        ? ("$", "The request body is larger than this endpoint accepts.")
        : ("Content-Type", "Send the body as application/json (or application/yaml for a program) in UTF-8.");

    /// <summary>Adds the field and the reason to the framework's own 413 and 415 answers, which name neither.</summary>
    public static void NameTheField(ProblemDetailsContext context)
    {
        var status = context.ProblemDetails.Status;
        if (status is StatusCodes.Status413PayloadTooLarge or StatusCodes.Status415UnsupportedMediaType && !context.ProblemDetails.Extensions.ContainsKey("errors")
            && context.ProblemDetails is not HttpValidationProblemDetails)
        {
            var (field, message) = StatusProblem(status.Value);
            context.ProblemDetails.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [message] };
        }
    }

    /// <summary>The framework's "Failed to bind parameter "Nullable&lt;double&gt; minScore" from ..." message.</summary>
    [GeneratedRegex("^Failed to bind parameter \"(?<type>[^\"]+) (?<name>[A-Za-z0-9_]+)\"")]
    private static partial Regex BoundParameter();
}
