using LoanOffers.Abstractions;
using LoanOffers.Domain;

namespace LoanOffers.Grains.Tests;

/// <summary>
/// The contact policy at send time, in each customer's grain: local send time and quiet hours by the customer's zone,
/// channel priority under a message limit, excellent-credit-only SMS, the suppression list; and behaviour learned from
/// the customer's responses. Times are chosen in Arizona and Hawaii, which keep no daylight saving time.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class ContactPolicyTests(EngineClusterFixture fixture)
{
    private static readonly DateTimeOffset Now = TimeProvider.System.GetUtcNow();

    /// <summary>14:00 UTC the day after the run: 07:00 in Phoenix (UTC-7) and 04:00 in Honolulu (UTC-10).</summary>
    private static readonly DateTimeOffset Morning = new DateTimeOffset(Now.UtcDateTime.Date, TimeSpan.Zero).AddDays(1).AddHours(14);

    private static readonly QuietHours Nights = new(new TimeOnly(21, 0), new TimeOnly(8, 0));

    private static ContactPolicy Policy(int maxMessages = 1, bool sendNow = false) => new(TimeSpan.FromDays(7), maxMessages, Nights, TimeSpan.FromHours(2), sendNow);

    [Fact]
    public async Task Email_waits_for_ten_in_the_customers_zone_and_the_first_eligible_channel_by_priority_takes_the_one_message()
    {
        var program = await ConfigureAsync();
        var phoenix = await OfferedAsync(program, "AZ", excellent: true);
        var honolulu = await OfferedAsync(program, "HI", excellent: true);

        var phoenixEarly = await AskAsync(program, phoenix, ChannelTypes.Email, Morning, Policy());
        var honoluluEarly = await AskAsync(program, honolulu, ChannelTypes.Email, Morning, Policy());

        Assert.Equal(Morning.AddHours(3), phoenixEarly.DeferUntil);
        Assert.Equal(Morning.AddHours(6), honoluluEarly.DeferUntil);
        Assert.Null(phoenixEarly.Offer);

        // At ten in Phoenix the email goes; with one message per offer, the SMS (priority 3) then has no place.
        var email = await AskAsync(program, phoenix, ChannelTypes.Email, Morning.AddHours(3.5), Policy());
        var sms = await AskAsync(program, phoenix, ChannelTypes.Sms, Morning.AddHours(3.5), Policy());
        Assert.NotNull(email.Offer);
        Assert.EndsWith("@example.com", email.Address);
        Assert.Equal(SuppressionReasons.MessageLimit, sms.SuppressedBecause);

        // A customer who opted out of email gets the SMS instead: it is the first channel that may reach them.
        await fixture.Grains.GetGrain<ICustomerGrain>(honolulu).ApplyEvent(new CustomerEvent("no-mail-" + honolulu, CustomerEventKinds.ChannelOptOut, Now, "email"));
        var text = await AskAsync(program, honolulu, ChannelTypes.Sms, Morning.AddHours(6.5), Policy());
        Assert.NotNull(text.Offer);
        Assert.StartsWith("+1555", text.Address);
        Assert.Contains("{loanAmount}", text.Channel!.Message);
    }

    [Fact]
    public async Task Quiet_hours_hold_even_a_campaign_sent_now_and_excellent_only_sms_and_the_suppression_list_stop_messages()
    {
        var program = await ConfigureAsync();
        var excellent = await OfferedAsync(program, "AZ", excellent: true);
        var good = await OfferedAsync(program, "AZ", excellent: false);
        var listed = await OfferedAsync(program, "AZ", excellent: true, profile => profile.Phone != _profiles[excellent].Phone);
        var phone = _profiles[listed].Phone!;
        await fixture.Suppressions.AddAsync(ChannelTypes.Sms, $"+1 ({phone[2..5]}) {phone[5..8]}-{phone[8..]}", "complaint", "test", Now);

        var quiet = await AskAsync(program, excellent, ChannelTypes.Sms, Morning, Policy(maxMessages: 2, sendNow: true));
        var afterQuiet = await AskAsync(program, excellent, ChannelTypes.Sms, Morning.AddHours(1), Policy(maxMessages: 2, sendNow: true));
        var notExcellent = await AskAsync(program, good, ChannelTypes.Sms, Morning.AddHours(3.5), Policy(maxMessages: 2));
        var suppressed = await AskAsync(program, listed, ChannelTypes.Sms, Morning.AddHours(3.5), Policy(maxMessages: 2));
        var stillByEmail = await AskAsync(program, listed, ChannelTypes.Email, Morning.AddHours(3.5), Policy(maxMessages: 2));

        // 07:00 in Phoenix is inside quiet hours until 08:00 (15:00 UTC), even sending now.
        Assert.Null(quiet.SuppressedBecause);
        Assert.Equal(Morning.AddHours(1), quiet.DeferUntil);
        Assert.NotNull(afterQuiet.Offer);
        Assert.Equal(_profiles[excellent].Phone, afterQuiet.Address);
        Assert.Equal(SuppressionReasons.NotExcellentCredit, notExcellent.SuppressedBecause);
        Assert.Equal(SuppressionReasons.Suppressed, suppressed.SuppressedBecause);
        Assert.NotNull(stillByEmail.Offer);
    }

    [Fact]
    public async Task A_customer_who_clicks_but_never_applies_at_a_rate_gets_a_different_ranking_in_the_next_run()
    {
        var program = await ConfigureAsync();
        var nextRun = Now.AddDays(91);
        var browser = await OfferedAsync(program, "AZ", excellent: true);
        var twin = await OfferedAsync(program, "AZ", excellent: true);
        var grain = fixture.Grains.GetGrain<ICustomerGrain>(browser);
        var before = (await grain.GetDecision(program.ProgramId))!;
        var top = before.Offers[0];

        // The browser sees its best offer in the app and opens it, twice over; it never applies.
        foreach (var (eventId, kind) in new[] { ("view", CustomerEventKinds.OfferViewed), ("click", CustomerEventKinds.OfferClicked), ("view-again", CustomerEventKinds.OfferViewed), ("click-again", CustomerEventKinds.OfferClicked) })
        {
            await grain.ApplyEvent(new CustomerEvent($"{eventId}-{browser}", kind, Now, OfferId: top.OfferId));
        }

        await EvaluateAsync(program, browser, "run-2", nextRun);
        await EvaluateAsync(program, twin, "run-2", nextRun);
        var after = (await grain.GetDecision(program.ProgramId))!;
        var twinAfter = (await fixture.Grains.GetGrain<ICustomerGrain>(twin).GetDecision(program.ProgramId))!;

        // The twin, the same customer who never responded, is offered the same terms in the same order as before.
        Assert.Equal(
            before.Offers.Select(offer => (offer.Amount, offer.Tenure, offer.Roi)),
            twinAfter.Offers.Select(offer => (offer.Amount, offer.Tenure, offer.Roi)));

        // The browser resists the terms it walked away from: what ranks first now is not them.
        Assert.Equal(top.Roi, after.Behavior!.ResistedRoi);
        Assert.Equal(top.Amount, after.Behavior.ResistedAmount);
        Assert.NotEqual((top.Amount, top.Tenure), (after.Offers[0].Amount, after.Offers[0].Tenure));
        Assert.True(after.Offers[0].Amount < top.Amount || after.Offers[0].Roi < top.Roi);
        Assert.NotEqual(
            twinAfter.Offers.Select(offer => (offer.Amount, offer.Tenure)),
            after.Offers.Select(offer => (offer.Amount, offer.Tenure)));
        Assert.True(after.Behavior.ConversionProbability < twinAfter.Behavior!.ConversionProbability);
    }

    private async Task<ProgramConfig> ConfigureAsync()
    {
        var program = EngineClusterFixture.DemoProgram(1);
        return await fixture.Grains.GetGrain<IProgramGrain>(program.ProgramId).Configure(program);
    }

    /// <summary>
    /// A new customer of <paramref name="state"/> the program offers (in the excellent tier or below it) in run-1, now;
    /// the same synthetic profile for the same arguments.
    /// </summary>
    private async Task<string> OfferedAsync(ProgramConfig program, string state, bool excellent, Func<CustomerProfile, bool>? also = null)
    {
        const string runId = "run-1";
        var chain = FilterChain.Create(program);
        var candidates = SyntheticCustomers.Generate(3_000, 11, Now)
            .Where(profile => chain.Evaluate(profile, Now).Passed)
            .Where(profile => excellent ? profile.CreditScore >= 760 : profile.CreditScore is >= 690 and < 720)
            .Where(profile => also?.Invoke(profile) ?? true);
        foreach (var profile in candidates)
        {
            var id = $"{state}-{Guid.NewGuid():N}"[..20];
            var customer = profile with { CustomerId = id, State = state, TimeZone = null, EmailOptOut = false, SmsOptOut = false, InAppOptOut = false };
            var evaluation = await fixture.Grains.GetGrain<ICustomerGrain>(id).Evaluate(new EvaluateCustomer(runId, program, customer, Now));
            var tier = (await fixture.Grains.GetGrain<ICustomerGrain>(id).GetDecision(program.ProgramId))?.Tier;
            if (evaluation.Outcome == DecisionOutcome.Offered && (tier == "excellent") == excellent)
            {
                _profiles[id] = customer;
                return id;
            }
        }

        throw new InvalidOperationException($"No synthetic customer is offered {(excellent ? "the excellent tier" : "a tier below excellent")}.");
    }

    private readonly Dictionary<string, CustomerProfile> _profiles = [];

    private Task<CustomerEvaluation> EvaluateAsync(ProgramConfig program, string customerId, string runId, DateTimeOffset at) =>
        fixture.Grains.GetGrain<ICustomerGrain>(customerId).Evaluate(new EvaluateCustomer(runId, program, _profiles[customerId], at));

    private Task<ContactDecision> AskAsync(ProgramConfig program, string customerId, string channel, DateTimeOffset at, ContactPolicy policy) =>
        fixture.Grains.GetGrain<ICustomerGrain>(customerId).PrepareContact(
            new ContactRequest(program.ProgramId, "run-1", channel, MessageKeys.Of(program.ProgramId, "run-1", customerId, channel), at, policy));
}
