using System.Collections.Concurrent;
using LoanOffers.Abstractions;

namespace LoanOffers.Grains;

/// <summary>
/// The offers answers of the customers active on this silo, published by their own grains, so a request arriving at
/// the silo that hosts its customer is answered from that grain's state without a grain call. A grain publishes what
/// it has just answered, withdraws it before its state changes, and on deactivation; an answer is served only until
/// the time the grain gave it (its earliest offer expiry). A customer active on another silo, or not yet asked for
/// here, is served by a grain call as before.
/// </summary>
public sealed class LocalOfferReads
{
    private readonly ConcurrentDictionary<string, Answer> _answers = new(StringComparer.Ordinal);

    /// <summary>The published answer for the customer and audience, while it is valid; <paramref name="json"/> null means unknown customer.</summary>
    public bool TryGet(string customerId, OfferAudience audience, DateTimeOffset now, out byte[]? json)
    {
        if (_answers.TryGetValue(customerId, out var answer) && now < answer.ValidUntil)
        {
            json = audience == OfferAudience.Customer ? answer.Customer : answer.Bank;
            return true;
        }

        json = null;
        return false;
    }

    internal void Publish(string customerId, byte[]? bank, byte[]? customer, DateTimeOffset validUntil) =>
        _answers[customerId] = new Answer(bank, customer, validUntil);

    internal void Withdraw(string customerId) => _answers.TryRemove(customerId, out _);

    private sealed record Answer(byte[]? Bank, byte[]? Customer, DateTimeOffset ValidUntil);
}
