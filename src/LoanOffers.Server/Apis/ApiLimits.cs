using Microsoft.AspNetCore.Mvc;

namespace LoanOffers.Server.Apis;

/// <summary>How large a request body each kind of endpoint reads, so a huge body costs no more than a normal one.</summary>
public static class ApiLimits
{
    /// <summary>Any request, before an endpoint's own limit applies.</summary>
    public const long MaxBodyBytes = 1024 * 1024;

    /// <summary>A program's configuration, JSON or YAML.</summary>
    public const int MaxProgramBytes = 256 * 1024;

    /// <summary>Small command bodies: an offer request, a retraining request.</summary>
    public const long MaxCommandBytes = 4 * 1024;

    /// <summary>Endpoints that read no body.</summary>
    public const long NoBody = 0;

    /// <summary>Caps the body this endpoint reads; over the cap the request answers 413 as ProblemDetails.</summary>
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestSizeLimitAttribute(bytes));
}
