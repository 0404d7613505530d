using System.Security.Cryptography;
using LoanOffers.Delivery.Tracking;
using Microsoft.Extensions.Options;

namespace LoanOffers.Delivery.Tests;

/// <summary>Signed links: the open pixel, click, unsubscribe and opt-out links carry their target and cannot be altered.</summary>
public sealed class TrackingLinksTests
{
    private static TrackingLinks Links(byte[]? secret = null) =>
        new(new DeliveryKeys(secret ?? Secret), Options.Create(new DeliveryOptions { LinkBaseUrl = "https://offers.bank.example/" }));

    private static readonly byte[] Secret = RandomNumberGenerator.GetBytes(32);

    private static readonly LinkTarget Target = new("loan-offers", "run-7", "C-000123", "email", "OF-1");

    [Fact]
    public void A_link_reads_back_to_its_target_and_the_click_lands_on_the_offer_page()
    {
        var links = Links();

        var click = links.For(Target, TrackingLinks.Click);
        var token = click.Split('/')[^2];

        Assert.StartsWith("https://offers.bank.example/t/", click);
        Assert.EndsWith("/click", click);
        Assert.Equal(Target, links.Read(token));
        Assert.Equal("https://offers.bank.example/offers/C-000123/OF-1", links.OfferPage(Target));
    }

    [Fact]
    public void A_link_pointed_at_another_customer_altered_or_signed_with_another_key_reads_as_nothing()
    {
        var links = Links();
        var token = links.Token(Target);
        var parts = token.Split('.');
        var (payload, signature) = (parts[0], parts[1]);
        var otherCustomer = links.Token(Target with { CustomerId = "C-000124" }).Split('.')[0];

        Assert.Null(links.Read(otherCustomer + "." + signature));
        Assert.Null(links.Read(payload + "." + (signature[0] == 'A' ? 'B' : 'A') + signature[1..]));
        Assert.Null(Links(RandomNumberGenerator.GetBytes(32)).Read(token));
        Assert.Null(links.Read(payload));
        Assert.Null(links.Read(new string('A', 5000) + "." + signature));
        Assert.Null(links.Read("%%%.%%%"));
    }

    [Fact]
    public void The_link_key_and_the_address_key_differ_and_a_short_secret_is_refused()
    {
        var keys = new DeliveryKeys(Secret);

        Assert.NotEqual(keys.LinkKey, keys.AddressKey);
        Assert.Throws<ArgumentException>(() => new DeliveryKeys(new byte[16]));
    }
}
