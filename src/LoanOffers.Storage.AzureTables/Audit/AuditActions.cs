namespace LoanOffers.Storage.AzureTables;

/// <summary>The actions the audit trail records.</summary>
public static class AuditActions
{
    public const string ProgramConfigured = "program.configure";
    public const string RunStarted = "run.start";
    public const string ProgramSimulated = "program.simulate";
    public const string ModelRetrained = "model.retrain";
    public const string ModelPromoted = "model.promote";
    public const string ModelRolledBack = "model.rollback";
    public const string ChallengerPromoted = "model.challenger-promote";
    public const string CustomerEvent = "customer.event";
    public const string CustomerEventBatch = "customer.events.batch";
    public const string OfferAccepted = "offer.accept";
    public const string ApplicationOutcome = "application.outcome";
    public const string CampaignStarted = "campaign.start";
    public const string CampaignPaused = "campaign.pause";
    public const string CampaignResumed = "campaign.resume";
    public const string SuppressionAdded = "suppression.add";
    public const string SuppressionRemoved = "suppression.remove";
    public const string TrackingOptOut = "tracking.opt-out";
    public const string ReportRequested = "report.request";
}
