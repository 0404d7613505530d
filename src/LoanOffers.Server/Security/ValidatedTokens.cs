using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Net.Http.Headers;

namespace LoanOffers.Server.Security;

/// <summary>
/// Remembers the caller of each bearer token the JWT handler accepted, until the token expires or for
/// <see cref="MaxAge"/> (so a changed signing key or issuer takes effect within minutes), and signs the same token in
/// again without redoing the handler's work. A customer's app sends the same token with every request, and validating
/// it each time cost more than serving the offers. Only accepted tokens are kept, keyed by the whole token, so a token
/// that differs in any byte is validated afresh.
/// </summary>
public sealed class ValidatedTokens(TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    /// <summary>Tokens remembered at most; past it the cache starts over, so a flood of distinct tokens costs only this much memory.</summary>
    public const int MaxEntries = 100_000;

    private const string BearerPrefix = "Bearer ";

    private readonly ConcurrentDictionary<string, (ClaimsPrincipal Caller, DateTimeOffset Until)> _accepted = new(StringComparer.Ordinal);

    /// <summary>Wires the cache into the handler's events: a known token signs in at once, a newly accepted one is remembered.</summary>
    public void Attach(JwtBearerEvents events)
    {
        var lookup = _accepted.GetAlternateLookup<ReadOnlySpan<char>>();
        events.OnMessageReceived = context =>
        {
            // Looked up by the header's own characters: the hot path allocates no copy of the token.
            if (TokenOf(context.Request.Headers[HeaderNames.Authorization].ToString()) is { IsEmpty: false } token
                && lookup.TryGetValue(token, out var known) && known.Until > time.GetUtcNow())
            {
                // The engine only reads a caller's claims, so requests with the same token share one principal.
                context.Principal = known.Caller;
                context.Success();
            }

            return Task.CompletedTask;
        };
        events.OnTokenValidated = context =>
        {
            if (TokenOf(context.Request.Headers[HeaderNames.Authorization].ToString()) is { IsEmpty: false } token && context.Principal is { } caller)
            {
                if (_accepted.Count >= MaxEntries)
                {
                    _accepted.Clear();
                }

                var now = time.GetUtcNow();
                var expires = new DateTimeOffset(context.SecurityToken.ValidTo, TimeSpan.Zero);
                _accepted[token.ToString()] = (caller, expires < now + MaxAge ? expires : now + MaxAge);
            }

            return Task.CompletedTask;
        };
    }

    private static ReadOnlySpan<char> TokenOf(string header) =>
        header.Length > BearerPrefix.Length && header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
            ? header.AsSpan(BearerPrefix.Length).Trim()
            : [];
}
