using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace LoanOffers.Delivery.Sms;

/// <summary>One text to send: where to, what it says, and the outbox key that makes a resend recognisable.</summary>
public sealed record SmsMessage(string To, string Body, string IdempotencyKey);

/// <summary>
/// Posts texts to an SMS provider's HTTP API: <c>POST {baseUrl}/messages</c> with a bearer API key and an
/// <c>Idempotency-Key</c> header carrying the outbox key, so the provider sends a retried message once. A refusal of
/// the message itself (400, 422) is permanent; anything else is left to the caller's retries.
/// </summary>
public sealed class SmsSender(HttpClient http, string accountId, string apiKey, string from)
{
    public async Task SendAsync(SmsMessage message, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "messages")
        {
            Content = JsonContent.Create(new { accountId, from, to = message.To, body = message.Body }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        request.Headers.Add("Idempotency-Key", message.IdempotencyKey);
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity)
        {
            throw new PermanentDeliveryException($"The SMS provider refused the message: {(int)response.StatusCode} {response.ReasonPhrase}.");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"The SMS provider answered {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);
        }
    }
}
