using Microsoft.Net.Http.Headers;

namespace LoanOffers.Server.Hosting;

/// <summary>
/// The API reads UTF-8 only. A body declared in another charset, or with a Content-Type that does not parse, answers
/// 415 before any endpoint tries to decode it (the framework would otherwise fail on an unknown charset with a 500).
/// </summary>
public static class Utf8BodiesMiddleware
{
    public static IApplicationBuilder UseUtf8Bodies(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.ContentType is { Length: > 0 } contentType
            && (!MediaTypeHeaderValue.TryParse(contentType, out var media) || (media.Charset.HasValue && !IsUtf8(media.Charset.Value))))
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = StatusCodes.Status415UnsupportedMediaType, Title = "Unsupported media type" },
            });
            return;
        }

        await next(context);
    });

    private static bool IsUtf8(string? charset) =>
        string.Equals(charset, "utf-8", StringComparison.OrdinalIgnoreCase) || string.Equals(charset, "utf8", StringComparison.OrdinalIgnoreCase);
}
