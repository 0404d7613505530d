namespace LoanOffers.Domain.Tests;

public class CustomerCsvTests
{
    private const string Header = "customer_id,credit_score,income,debt_to_income_ratio,account_age_months,deposit_balance,employment_status,state,date_of_birth,identity_verified,account_status,late_payments_12m,last_offer_at";

    [Fact]
    public void Good_and_bad_rows_are_reported_with_their_line_numbers()
    {
        var csv = string.Join('\n',
            Header,
            "C1,720,85000,0.28,60,15000,employed,CA,1980-02-29,true,active,0,",
            "C2,abc,85000,0.28,60,15000,employed,CA,1980-01-01,true,active,0,",
            "C3,720,,0.28,60,15000,employed,CA,1980-01-01,true,active,0,",
            "C4,900,85000,0.28,60,15000,employed,CA,1980-01-01,true,active,0,",
            "C5,700,52000.50,0.3,12,250.75,SelfEmployed,ny,1990-07-04,false,dormant,2,2025-12-01T10:00:00Z",
            "C6,700,52000,0.3,12,250,astronaut,NY,1990-07-04,true,active,0,",
            "");

        var results = CustomerCsvReader.Read(new StringReader(csv)).ToList();

        Assert.Equal([2, 3, 4, 5, 6, 7], results.Select(r => r.LineNumber));
        var first = results[0].Profile!;
        Assert.Equal(("C1", 720, 85_000m, 0.28m, new DateOnly(1980, 2, 29)), (first.CustomerId, first.CreditScore, first.AnnualIncome, first.DebtToIncome, first.DateOfBirth));
        Assert.Equal((IncomeStability.Variable, TransactionPattern.Stable, 0, false), (first.IncomeStability, first.TransactionPattern, first.ExistingLoans, first.PrescreenOptOut));
        Assert.Null(first.LastOfferAt);
        Assert.Equal("credit_score (column 2) is not a whole number", results[1].Error);
        Assert.Equal("income (column 3) is required", results[2].Error);
        Assert.Equal("credit_score (column 2) must be between 300 and 850", results[3].Error);
        var fifth = results[4].Profile!;
        Assert.Equal((EmploymentStatus.SelfEmployed, AccountStatus.Dormant, "NY", 2, false), (fifth.EmploymentStatus, fifth.AccountStatus, fifth.State, fifth.LatePaymentsLast12Months, fifth.IdentityVerified));
        Assert.Equal(new DateTimeOffset(2025, 12, 1, 10, 0, 0, TimeSpan.Zero), fifth.LastOfferAt);
        Assert.StartsWith("employment_status (column 7) is not one of employed, self_employed", results[5].Error);
        Assert.DoesNotContain(results.Select(r => r.Error), error => error is not null && (error.Contains("abc") || error.Contains("900") || error.Contains("astronaut")));
    }

    [Fact]
    public void Missing_required_column_is_one_error()
    {
        var result = Assert.Single(CustomerCsvReader.Read(new StringReader("customer_id,credit_score\nC1,700\n")));

        Assert.Equal(1, result.LineNumber);
        Assert.Null(result.Profile);
        Assert.Equal("missing required column(s): income, debt_to_income_ratio, account_age_months, deposit_balance, employment_status, state, date_of_birth, identity_verified, account_status", result.Error);
    }

    [Fact]
    public void Written_files_read_back_to_the_same_profiles()
    {
        var profiles = SyntheticCustomers.Generate(300, 3).ToList();
        var writer = new StringWriter();

        CustomerCsvWriter.Write(writer, profiles);
        var results = CustomerCsvReader.Read(new StringReader(writer.ToString())).ToList();

        Assert.StartsWith(string.Join(',', CustomerCsvColumns.All), writer.ToString());
        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal(profiles, results.Select(r => r.Profile));
        Assert.Equal(Enumerable.Range(2, 300), results.Select(r => r.LineNumber));
    }

    [Fact]
    public void The_banks_own_columns_are_kept_as_numbers_under_their_names_and_a_bad_value_is_named_by_line_and_column()
    {
        var csv = string.Join('\n',
            Header + ",Bureau_Inquiries_6m,card_utilisation",
            "C1,720,85000,0.28,60,15000,employed,CA,1980-02-29,true,active,0,,2,0.35",
            "C2,720,85000,0.28,60,15000,employed,CA,1980-02-29,true,active,0,,lots,0.35",
            "C3,720,85000,0.28,60,15000,employed,CA,1980-02-29,true,active,0,,1,",
            "");
        FeatureSchema? schema = null;

        var results = CustomerCsvReader.Read(new StringReader(csv), found => schema = found).ToList();

        Assert.Equal(["Bureau_Inquiries_6m", "card_utilisation"], schema!.Names);
        Assert.Equal(new ExtraFeatures(schema.Id, [2f, 0.35f]), results[0].Profile!.Extra);
        Assert.Equal("Bureau_Inquiries_6m (column 14) is not a finite number", results[1].Error);
        Assert.Equal("card_utilisation (column 15) is required", results[2].Error);
        Assert.Null(CustomerCsvReader.ExtraColumns(CustomerCsvColumns.All));
    }
}
