namespace LoanOffers.Domain.Tests;

public class FilterChainTests
{
    private static readonly FilterChain Chain = FilterChain.Create(TestData.DemoProgram);

    private static FilterResult Evaluate(CustomerProfile profile) => Chain.Evaluate(profile, TestData.Now);

    private static void AssertRejected(CustomerProfile profile, string filterId, string reasonCode)
    {
        var result = Evaluate(profile);
        Assert.False(result.Passed);
        Assert.Equal(filterId, result.FilterId);
        Assert.Equal(reasonCode, result.ReasonCode);
        Assert.False(string.IsNullOrWhiteSpace(result.Reason));
    }

    [Fact]
    public void Qualified_customer_passes_and_filters_run_in_configured_order()
    {
        Assert.Equal(FilterResult.Pass, Evaluate(TestData.Qualified()));
        Assert.Equal(["trust", "credit-qualification", "affordability", "eligibility", "regulatory-compliance"], Chain.FilterIds);
    }

    [Fact]
    public void Order_field_not_list_position_decides_which_filter_rejects_first()
    {
        var program = TestData.DemoProgram with
        {
            FilterChain = [.. TestData.DemoProgram.FilterChain.Select(f => f.FilterId == "regulatory-compliance" ? f with { Order = 0 } : f)],
        };
        var profile = TestData.Qualified() with { IdentityVerified = false, State = "ON" };

        var result = FilterChain.Create(program).Evaluate(profile, TestData.Now);

        Assert.Equal("regulatory-compliance", result.FilterId);
    }

    [Fact]
    public void Trust_requires_verified_identity_and_active_account()
    {
        AssertRejected(TestData.Qualified() with { IdentityVerified = false }, "trust", "IDENTITY_NOT_VERIFIED");
        AssertRejected(TestData.Qualified() with { AccountStatus = AccountStatus.Dormant }, "trust", "ACCOUNT_NOT_ACTIVE");
        AssertRejected(TestData.Qualified() with { AccountStatus = AccountStatus.Frozen }, "trust", "ACCOUNT_NOT_ACTIVE");
    }

    [Fact]
    public void Credit_score_floor_is_inclusive_at_680()
    {
        AssertRejected(TestData.Qualified() with { CreditScore = 679 }, "credit-qualification", "CREDIT_SCORE_BELOW_MIN");
        Assert.True(Evaluate(TestData.Qualified() with { CreditScore = 680 }).Passed);
        Assert.Contains("679", Evaluate(TestData.Qualified() with { CreditScore = 679 }).Reason);
    }

    [Fact]
    public void Dti_ceiling_is_inclusive_at_43_percent()
    {
        // At exactly 43% the credit rule passes (the affordability rule then finds no headroom).
        var atLimit = Evaluate(TestData.Qualified() with { DebtToIncome = 0.43m });
        Assert.Equal("affordability", atLimit.FilterId);
        Assert.Equal("AFFORDABLE_AMOUNT_TOO_LOW", atLimit.ReasonCode);

        AssertRejected(TestData.Qualified() with { DebtToIncome = 0.4301m }, "credit-qualification", "DTI_ABOVE_MAX");
    }

    [Fact]
    public void Any_late_payment_in_12_months_rejects()
    {
        AssertRejected(TestData.Qualified() with { LatePaymentsLast12Months = 1 }, "credit-qualification", "LATE_PAYMENTS");
    }

    [Fact]
    public void Affordability_rejects_unstable_income_and_no_qualifying_employment()
    {
        AssertRejected(TestData.Qualified() with { IncomeStability = IncomeStability.Unstable }, "affordability", "INCOME_UNSTABLE");
        AssertRejected(TestData.Qualified() with { EmploymentStatus = EmploymentStatus.Unemployed }, "affordability", "EMPLOYMENT_STATUS");
        AssertRejected(TestData.Qualified() with { EmploymentStatus = EmploymentStatus.Student }, "affordability", "EMPLOYMENT_STATUS");
        Assert.True(Evaluate(TestData.Qualified() with { IncomeStability = IncomeStability.Variable }).Passed);
        Assert.True(Evaluate(TestData.Qualified() with { EmploymentStatus = EmploymentStatus.Retired, MonthsEmployed = 0 }).Passed);
    }

    [Fact]
    public void Employment_must_last_six_months()
    {
        AssertRejected(TestData.Qualified() with { MonthsEmployed = 5 }, "affordability", "EMPLOYMENT_TOO_SHORT");
        AssertRejected(TestData.Qualified() with { EmploymentStatus = EmploymentStatus.SelfEmployed, MonthsEmployed = 5 }, "affordability", "EMPLOYMENT_TOO_SHORT");
        Assert.True(Evaluate(TestData.Qualified() with { MonthsEmployed = 6 }).Passed);
    }

    [Fact]
    public void Affordability_needs_room_for_the_minimum_loan()
    {
        // Excellent segment, 5.5% over 60 months: annuity factor 52.3963. Income 60,000: 1% of DTI headroom = 50/month.
        // DTI 0.41 -> 100/month -> 5,200 affordable; DTI 0.4275 -> 12.50/month -> 600, below 1,000.
        Assert.True(Evaluate(TestData.Qualified() with { AnnualIncome = 60_000m, DebtToIncome = 0.41m }).Passed);
        AssertRejected(TestData.Qualified() with { AnnualIncome = 60_000m, DebtToIncome = 0.4275m }, "affordability", "AFFORDABLE_AMOUNT_TOO_LOW");
    }

    [Fact]
    public void Offer_window_is_90_days_and_exactly_90_days_ago_is_eligible_again()
    {
        AssertRejected(TestData.Qualified() with { LastOfferAt = TestData.Now.AddDays(-89) }, "eligibility", "RECENT_OFFER");
        AssertRejected(TestData.Qualified() with { LastOfferAt = TestData.Now.AddDays(-90).AddSeconds(1) }, "eligibility", "RECENT_OFFER");
        Assert.True(Evaluate(TestData.Qualified() with { LastOfferAt = TestData.Now.AddDays(-90) }).Passed);
        Assert.True(Evaluate(TestData.Qualified() with { LastOfferAt = null }).Passed);
    }

    [Fact]
    public void Prescreen_opt_out_is_never_offered_but_channel_opt_outs_do_not_matter_here()
    {
        AssertRejected(TestData.Qualified() with { PrescreenOptOut = true }, "eligibility", "PRESCREEN_OPT_OUT");
        Assert.True(Evaluate(TestData.Qualified() with { EmailOptOut = true, SmsOptOut = true }).Passed);
    }

    [Fact]
    public void Minimum_age_is_18_on_the_birthday()
    {
        var today = DateOnly.FromDateTime(TestData.Now.UtcDateTime);
        AssertRejected(TestData.Qualified() with { DateOfBirth = today.AddYears(-18).AddDays(1) }, "regulatory-compliance", "AGE_BELOW_MINIMUM");
        Assert.True(Evaluate(TestData.Qualified() with { DateOfBirth = today.AddYears(-18) }).Passed);
    }

    [Fact]
    public void State_age_of_majority_applies_in_alabama()
    {
        var today = DateOnly.FromDateTime(TestData.Now.UtcDateTime);
        AssertRejected(TestData.Qualified() with { State = "AL", DateOfBirth = today.AddYears(-18) }, "regulatory-compliance", "AGE_BELOW_STATE_MAJORITY");
        Assert.True(Evaluate(TestData.Qualified() with { State = "AL", DateOfBirth = today.AddYears(-19) }).Passed);
    }

    [Fact]
    public void Us_program_serves_states_only_and_never_excluded_ones()
    {
        AssertRejected(TestData.Qualified() with { State = "ON" }, "regulatory-compliance", "STATE_NOT_SERVED");
        AssertRejected(TestData.Qualified() with { State = "PR" }, "regulatory-compliance", "STATE_NOT_SERVED");

        var program = TestData.DemoProgram with
        {
            FilterChain =
            [
                .. TestData.DemoProgram.FilterChain.Select(f => f.FilterId == "regulatory-compliance"
                    ? f with { Parameters = f.Parameters with { ExcludedStates = ["NY"] } }
                    : f),
            ],
        };
        var chain = FilterChain.Create(program);
        var result = chain.Evaluate(TestData.Qualified() with { State = "NY" }, TestData.Now);
        Assert.Equal("STATE_EXCLUDED", result.ReasonCode);
        Assert.True(chain.Evaluate(TestData.Qualified() with { State = "NJ" }, TestData.Now).Passed);
    }

    [Fact]
    public void Configured_parameters_override_defaults()
    {
        var yaml = DemoPrograms.LoanOfferTargetingYaml
            .Replace("minCreditScore: 680", "minCreditScore: 700")
            .Replace("type: \"eligibility\"\n    order: 4", "type: \"eligibility\"\n    order: 4\n    parameters:\n      windowDays: 120");
        var chain = FilterChain.Create(ProgramConfigParser.ParseYaml(yaml).Config!);

        Assert.Equal("CREDIT_SCORE_BELOW_MIN", chain.Evaluate(TestData.Qualified() with { CreditScore = 699 }, TestData.Now).ReasonCode);
        Assert.Equal("RECENT_OFFER", chain.Evaluate(TestData.Qualified() with { LastOfferAt = TestData.Now.AddDays(-100) }, TestData.Now).ReasonCode);
    }
}
