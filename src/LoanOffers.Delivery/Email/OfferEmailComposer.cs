using System.Globalization;
using System.Text.Encodings.Web;
using Fluid;
using MimeKit;

namespace LoanOffers.Delivery.Email;

/// <summary>
/// Builds seed 000's pre-approved offer email from Liquid templates (HTML and plain text, embedded in this assembly),
/// with the <c>Message-ID</c> made from the outbox key (a message sent twice is the same message) and one-click
/// <c>List-Unsubscribe</c> headers. Values reach the HTML part HTML-encoded, so a name cannot inject markup.
/// </summary>
public sealed class OfferEmailComposer
{
    private static readonly CultureInfo Money = CultureInfo.InvariantCulture;
    private readonly IFluidTemplate _subject;
    private readonly IFluidTemplate _html;
    private readonly IFluidTemplate _text;
    private readonly TemplateOptions _options = new();
    private readonly MailboxAddress _from;
    private readonly string _messageIdDomain;

    public OfferEmailComposer(string from, string fromName)
    {
        _from = new MailboxAddress(fromName, from);
        _messageIdDomain = _from.Domain;
        _options.MemberAccessStrategy.Register<TemplateModel>();
        var parser = new FluidParser();
        _subject = Parse(parser, "offer.subject.liquid");
        _html = Parse(parser, "offer.html.liquid");
        _text = Parse(parser, "offer.txt.liquid");
    }

    public MimeMessage Compose(OfferEmail email, string outboxKey)
    {
        var context = new TemplateContext(TemplateModel.From(email), _options);
        var message = new MimeMessage
        {
            MessageId = $"{outboxKey}@{_messageIdDomain}",
            Subject = _subject.Render(context, NullEncoder.Default).Trim(),
            Body = new MultipartAlternative
            {
                new TextPart("plain") { Text = _text.Render(context, NullEncoder.Default) },
                new TextPart("html") { Text = _html.Render(context, HtmlEncoder.Default) },
            },
        };
        message.From.Add(_from);
        message.To.Add(MailboxAddress.Parse(email.To));
        message.Headers.Add("List-Unsubscribe", $"<{email.UnsubscribeLink}>");
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        return message;
    }

    private static IFluidTemplate Parse(FluidParser parser, string name)
    {
        using var stream = typeof(OfferEmailComposer).Assembly.GetManifestResourceStream($"LoanOffers.Delivery.Email.Templates.{name}")
            ?? throw new InvalidOperationException($"The email template {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return parser.TryParse(reader.ReadToEnd(), out var template, out var error)
            ? template
            : throw new InvalidOperationException($"The email template {name} does not parse: {error}");
    }

    /// <summary>The values a template sees, already formatted ($50,000; 5.5%), so no template formats money itself.</summary>
    private sealed record TemplateModel(
        string Name, string Amount, string Apr, string Rate, int TermMonths, string MonthlyPayment, string ProcessingFee,
        string TotalRepayable, string ExpiresOn, string OfferLink, string UnsubscribeLink, string PrescreenOptOutLink, string? OpenPixelLink)
    {
        public static TemplateModel From(OfferEmail email) => new(
            string.IsNullOrWhiteSpace(email.FirstName) ? "Valued customer" : email.FirstName.Trim(),
            Dollars(email.Amount, "N0"), Percent(email.Apr), Percent(email.Rate), email.TermMonths,
            Dollars(email.MonthlyPayment, "N2"), Dollars(email.ProcessingFee, "N2"), Dollars(email.TotalRepayable, "N2"),
            email.ExpiresAt.UtcDateTime.ToString("MMMM d, yyyy", Money), email.OfferLink, email.UnsubscribeLink, email.PrescreenOptOutLink, email.OpenPixelLink);

        private static string Dollars(decimal amount, string format) => "$" + amount.ToString(format, Money);

        private static string Percent(decimal rate) => rate.ToString("0.##", Money) + "%";
    }
}
