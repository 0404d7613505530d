namespace LoanOffers.Delivery;

/// <summary>The relay or provider refused a message for good (no such mailbox, an invalid number): it bounces, and is not retried.</summary>
public sealed class PermanentDeliveryException(string message, Exception? inner = null) : Exception(message, inner);
