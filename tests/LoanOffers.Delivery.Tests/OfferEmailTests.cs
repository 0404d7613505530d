using LoanOffers.Delivery.Email;
using MimeKit;

namespace LoanOffers.Delivery.Tests;

/// <summary>Seed 000's pre-approved email: subject, personal terms, TILA's disclosures, the FCRA notice and unsubscribe.</summary>
public sealed class OfferEmailTests
{
    private static readonly OfferEmailComposer Composer = new("offers@bank.example", "Example Bank");

    public static OfferEmail Email(string? firstName = "Ada") => new(
        "ada@example.com", firstName, 50_000m, 5.5m, 4.99m, 60, 943.56m, 750m, 56_613.60m,
        new DateTimeOffset(2027, 2, 21, 2, 0, 0, TimeSpan.Zero),
        "https://offers.bank.example/o/abc", "https://offers.bank.example/u/abc", "https://offers.bank.example/optout/abc");

    [Fact]
    public void The_subject_names_the_amount_and_the_APR()
    {
        var message = Composer.Compose(Email(), "k-1");

        Assert.Equal("You're Pre-Approved: $50,000 at 5.5% APR", message.Subject);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("html")]
    public void Both_parts_carry_the_terms_the_disclosures_the_prescreen_notice_and_the_links(string part)
    {
        var message = Composer.Compose(Email(), "k-1");

        var text = message.BodyParts.OfType<TextPart>().Single(body => body.ContentType.MediaSubtype == part).Text;
        foreach (var expected in new[]
        {
            "Ada", "$50,000", "5.5% APR", "4.99%", "60 months", "$943.56", "$750.00", "$56,613.60", "No impact on credit score",
            "February 21, 2027", "prescreened", "1-888-567-8688", "optoutprescreen.com",
            "https://offers.bank.example/o/abc", "https://offers.bank.example/u/abc", "https://offers.bank.example/optout/abc",
        })
        {
            Assert.Contains(expected, text);
        }
    }

    [Fact]
    public void The_message_id_carries_the_outbox_key_and_the_headers_allow_one_click_unsubscribe()
    {
        var message = Composer.Compose(Email(), "prog.run-7.C0001.email");

        Assert.Equal("prog.run-7.C0001.email@bank.example", message.MessageId);
        Assert.Equal("<https://offers.bank.example/u/abc>", message.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
        Assert.Equal("offers@bank.example", message.From.Mailboxes.Single().Address);
        Assert.Equal("ada@example.com", message.To.Mailboxes.Single().Address);
    }

    [Fact]
    public void A_name_cannot_inject_markup_into_the_html_part()
    {
        var message = Composer.Compose(Email("<script>alert(1)</script>"), "k-2");

        var html = message.BodyParts.OfType<TextPart>().Single(body => body.IsHtml).Text;
        Assert.DoesNotContain("<script>", html);
        Assert.Contains("&lt;script&gt;", html);
    }

    [Fact]
    public void A_customer_without_a_first_name_is_greeted_without_a_blank()
    {
        var message = Composer.Compose(Email(firstName: " "), "k-3");

        Assert.StartsWith("Hi Valued customer,", message.TextBody);
    }
}
