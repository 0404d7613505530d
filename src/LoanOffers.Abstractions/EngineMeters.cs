using System.Diagnostics.Metrics;

namespace LoanOffers.Abstractions;

/// <summary>
/// The engine's own business meters. Counted once per partition, run or message, never per request on the serving
/// path, so metrics cost the offer reads nothing. Tags name programs, tiers, filters and channels: never a customer.
/// </summary>
public static class EngineMeters
{
    public const string MeterName = "LoanOffers";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> CustomersEvaluated = Meter.CreateCounter<long>(
        "loanoffers.batch.customers_evaluated", "{customer}", "Customers a batch run evaluated.");

    public static readonly Counter<long> Offers = Meter.CreateCounter<long>(
        "loanoffers.batch.offers", "{customer}", "Customers a batch run offered a loan, by tier.");

    public static readonly Counter<long> Rejections = Meter.CreateCounter<long>(
        "loanoffers.batch.rejections", "{customer}", "Customers a batch run's filter chain rejected, by filter.");

    public static readonly Counter<long> EvaluationErrors = Meter.CreateCounter<long>(
        "loanoffers.batch.errors", "{customer}", "Customers a batch run could not evaluate.");

    public static readonly Histogram<double> RunDuration = Meter.CreateHistogram<double>(
        "loanoffers.batch.run.duration", "s", "How long batch runs took from start to their end, by outcome.");

    public static readonly Counter<long> Messages = Meter.CreateCounter<long>(
        "loanoffers.delivery.messages", "{message}", "Campaign messages by channel and what became of them (sent, bounced, suppressed, parked).");

    public static readonly Counter<long> FunnelEvents = Meter.CreateCounter<long>(
        "loanoffers.funnel.events", "{event}", "Funnel stages recorded, by stage and channel.");
}
