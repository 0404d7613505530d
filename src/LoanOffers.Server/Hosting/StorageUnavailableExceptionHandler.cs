using LoanOffers.Storage.AzureTables;
using Microsoft.AspNetCore.Diagnostics;

namespace LoanOffers.Server.Hosting;

/// <summary>
/// A request that meets a storage or cluster outage (or a grain call that timed out waiting for one) answers 503 with
/// Retry-After as ProblemDetails, in one readable line, never a 500 with the provider's diagnostic dump.
/// </summary>
public sealed partial class StorageUnavailableExceptionHandler(IProblemDetailsService problemDetails, ILogger<StorageUnavailableExceptionHandler> logger) : IExceptionHandler
{
    /// <summary>Seconds a client is asked to wait; outages the engine rides out are seconds to minutes long.</summary>
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!StorageFaults.IsTransient(exception))
        {
            return false;
        }

        LogUnavailable(httpContext.Request.Path, StorageFaults.Describe(exception));
        await WriteAsync(problemDetails, httpContext, exception);
        return true;
    }

    /// <summary>Writes the 503 answer; shared with the request-timeout policy.</summary>
    public static ValueTask WriteAsync(IProblemDetailsService problemDetails, HttpContext httpContext, Exception? exception)
    {
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Temporarily unavailable",
                Detail = $"The engine's storage did not answer in time; retry after {RetryAfterSeconds} seconds.",
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} answered 503: {Reason}")]
    private partial void LogUnavailable(string path, string reason);
}
