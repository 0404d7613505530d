namespace LoanOffers.Domain.Tests;

public class ProgramConfigParserTests
{
    private static IReadOnlyList<ConfigError> Errors(string yaml)
    {
        var result = ProgramConfigParser.ParseYaml(yaml);
        Assert.Null(result.Config);
        return result.Errors;
    }

    private static void AssertError(string yaml, string path, string messagePart)
    {
        var errors = Errors(yaml);
        Assert.Contains(errors, e => e.Path == path && e.Message.Contains(messagePart, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Seed_yaml_parses_exactly_as_written()
    {
        var result = ProgramConfigParser.ParseYaml(DemoPrograms.SeedYaml);

        Assert.Empty(result.Errors);
        var config = result.Config!;
        Assert.Equal("loan-offer-targeting", config.ProgramId);
        Assert.Equal("Loan Offer Targeting", config.ProgramName);
        Assert.True(config.Enabled);
        Assert.Equal(1, config.Version);
        Assert.Equal("UTC", config.TimeZone);
        Assert.Equal(1.5m, config.ProcessingFeePercent);
        Assert.Equal(["US"], config.Marketplaces);
        Assert.True(config.IsUsOnly);

        var connector = Assert.Single(config.DataConnectors);
        Assert.Equal("snowflake", connector.Type);
        Assert.False(DataConnectorTypes.IsRunnable(connector.Type));
        Assert.Contains("existing_loans < 3", connector.Config["query"]);

        Assert.Equal(["loan-approval-v4", "default-risk-v3"], config.ScoringModels.Select(m => m.ModelId));
        Assert.Equal(["account_age", "deposit_balance", "transaction_patterns", "savings_rate"], config.ScoringModels[1].Features);

        Assert.Equal(5, config.FilterChain.Count);
        var credit = config.FilterChain[1];
        Assert.Equal(("credit-qualification", "business-rule", 2), (credit.FilterId, credit.Type, credit.Order));
        Assert.Equal(680, credit.Parameters.MinCreditScore);
        Assert.Equal(0.43m, credit.Parameters.MaxDebtToIncome);
        Assert.Equal(12, credit.Parameters.MinPaymentHistory);
        Assert.Equal(true, config.FilterChain[2].Parameters.CheckEmploymentStatus);
        Assert.Empty(config.FilterChain[4].Parameters.ExcludedStates!);

        Assert.Equal(["email", "in-app", "sms"], config.Channels.Select(c => c.ChannelId));
        Assert.Equal("30", config.Channels[1].Config["displayDuration"]);
        Assert.Equal("true", config.Channels[2].Config["excellentCreditOnly"]);

        Assert.Equal(
            [
                new OfferSegment("excellent", 750, 850, 50_000m, 5.5m, 60),
                new OfferSegment("good", 680, 749, 30_000m, 6.5m, 48),
                new OfferSegment("fair", 640, 679, 15_000m, 7.5m, 36),
            ],
            config.LoanOfferStrategy.Segments);
        Assert.Equal(["APR", "fees", "terms"], config.RegulatoryCompliance!.Disclosures.Select(d => d.Type));
        Assert.Equal("cron(0 2 ? * MON *)", config.BatchSchedule);
        Assert.Equal(90, config.CandidateTtlDays);
    }

    [Fact]
    public void Demo_program_uses_a_synthetic_connector()
    {
        var connector = Assert.Single(TestData.DemoProgram.DataConnectors);

        Assert.Equal(DataConnectorTypes.Synthetic, connector.Type);
        Assert.Equal("200000", connector.Config["count"]);
        Assert.Equal("42", connector.Config["seed"]);
        Assert.True(DataConnectorTypes.IsRunnable(connector.Type));
    }

    [Fact]
    public void Json_with_the_same_shape_parses_to_the_same_program()
    {
        const string json = """
            {
              "programId": "json-program", "programName": "From JSON", "enabled": true, "version": 3,
              "timeZone": "America/New_York", "processingFeePercent": 2.0,
              "marketplaces": ["US"],
              "dataConnectors": [{ "connectorId": "file", "type": "csv", "config": { "path": "customers.csv" } }],
              "scoringModels": [{ "modelId": "approval", "endpoint": "onnx://approval", "features": ["credit_score", "income"] }],
              "filterChain": [
                { "filterId": "credit-qualification", "type": "business-rule", "order": 1, "parameters": { "minCreditScore": 700 } },
                { "filterId": "eligibility", "type": "eligibility", "order": 2 }
              ],
              "loanOfferStrategy": { "enabled": true, "segmentedOffers": true, "segments": [
                { "creditTier": "prime", "creditScoreRange": [700, 850], "maxLoanAmount": 40000, "interestRate": 6.25, "term": 60 }
              ] },
              "batchSchedule": "0 3 * * 1",
              "candidateTTLDays": 30
            }
            """;

        var result = ProgramConfigParser.ParseJson(json);

        Assert.Empty(result.Errors);
        var config = result.Config!;
        Assert.Equal((3, "America/New_York", 2.0m, 30), (config.Version, config.TimeZone, config.ProcessingFeePercent, config.CandidateTtlDays));
        Assert.Equal(700, config.FilterChain[0].Parameters.MinCreditScore);
        Assert.Equal(new OfferSegment("prime", 700, 850, 40_000m, 6.25m, 60), Assert.Single(config.LoanOfferStrategy.Segments));
        Assert.Equal("customers.csv", config.DataConnectors[0].Config["path"]);
    }

    [Fact]
    public void Errors_name_the_path_of_the_bad_value()
    {
        AssertError(DemoPrograms.SeedYaml.Replace("interestRate: 6.5", "interestRate: 45"), "loanOfferStrategy.segments[1].interestRate", "at most 36");
        AssertError(DemoPrograms.SeedYaml.Replace("interestRate: 6.5", "interestRate: abc"), "loanOfferStrategy.segments[1].interestRate", "must be a number");
        AssertError(DemoPrograms.SeedYaml.Replace("minCreditScore: 680", "minCreditScore: 9000"), "filterChain[1].parameters.minCreditScore", "between 300 and 850");
        AssertError(DemoPrograms.SeedYaml.Replace("minCreditScore: 680", "minCreditScor: 680"), "filterChain[1].parameters.minCreditScor", "not a parameter");
        AssertError(DemoPrograms.SeedYaml.Replace("maxLoanAmount: 30000", "maxLoanAmount: 0"), "loanOfferStrategy.segments[1].maxLoanAmount", "at least 100");
        AssertError(DemoPrograms.SeedYaml.Replace("term: 48", "term: -12"), "loanOfferStrategy.segments[1].term", "between 6 and 120");
        AssertError(DemoPrograms.SeedYaml.Replace("excludedStates: []", "excludedStates: [\"ZZ\"]"), "filterChain[4].parameters.excludedStates[0]", "not a US state");
        AssertError(DemoPrograms.SeedYaml.Replace("sendTime: \"10:00\"", "sendTime: \"10am\""), "channels[0].config.sendTime", "HH:mm");
        AssertError(DemoPrograms.SeedYaml.Replace("excellentCreditOnly: true", "excellentCreditOnly: maybe"), "channels[2].config.excellentCreditOnly", "true or false");
        AssertError(DemoPrograms.SeedYaml.Replace("displayDuration: 30", "displayDuration: 0"), "channels[1].config.displayDuration", "1 to 366");
    }

    [Fact]
    public void Unknown_keys_are_rejected_with_their_path()
    {
        AssertError(DemoPrograms.SeedYaml.Replace("candidateTTLDays: 90", "candidateTTLDays: 90\nbonusRate: 2"), "bonusRate", "not a known setting");
        AssertError(DemoPrograms.SeedYaml.Replace("      term: 36  # months", "      term: 36\n      teaserRate: 0.9"), "loanOfferStrategy.segments[2].teaserRate", "not a known setting");
    }

    [Fact]
    public void Unknown_filter_types_are_rejected()
    {
        AssertError(DemoPrograms.SeedYaml.Replace("type: \"trust\"", "type: \"magic\""), "filterChain[0].type", "not a known filter type");
        AssertError(DemoPrograms.SeedYaml.Replace("filterId: \"affordability\"", "filterId: \"vibes\""), "filterChain[2].type", "names no known rule");
    }

    [Fact]
    public void Eligibility_filter_cannot_be_dropped_or_shortened()
    {
        var withoutEligibility = DemoPrograms.SeedYaml.Replace("  - filterId: \"eligibility\"\n    type: \"eligibility\"\n    order: 4\n", "");
        AssertError(withoutEligibility, "filterChain", "eligibility filter is required");
        AssertError(
            DemoPrograms.SeedYaml.Replace("type: \"eligibility\"\n    order: 4", "type: \"eligibility\"\n    order: 4\n    parameters:\n      windowDays: 30"),
            "filterChain[3].parameters.windowDays", "between 90");
    }

    [Fact]
    public void Overlapping_and_inverted_credit_score_ranges_are_rejected()
    {
        AssertError(DemoPrograms.SeedYaml.Replace("[680, 749]", "[680, 760]"), "loanOfferStrategy.segments[1].creditScoreRange", "overlaps segment 'excellent'");
        AssertError(DemoPrograms.SeedYaml.Replace("[640, 679]", "[679, 640]"), "loanOfferStrategy.segments[2].creditScoreRange", "inverted");
        AssertError(DemoPrograms.SeedYaml.Replace("[640, 679]", "[640]"), "loanOfferStrategy.segments[2].creditScoreRange", "[min, max]");
    }

    [Fact]
    public void Required_fields_and_connector_settings_are_checked()
    {
        AssertError(DemoPrograms.SeedYaml.Replace("programId: \"loan-offer-targeting\"\n", ""), "programId", "required");
        AssertError(DemoPrograms.SeedYaml.Replace("type: \"snowflake\"", "type: \"oracle\""), "dataConnectors[0].type", "not a supported connector type");
        AssertError(DemoPrograms.LoanOfferTargetingYaml.Replace("      seed: 42\n", ""), "dataConnectors[0].config.seed", "required");
        AssertError(DemoPrograms.LoanOfferTargetingYaml.Replace("count: 200000", "count: lots"), "dataConnectors[0].config.count", "whole number");
        AssertError(DemoPrograms.SeedYaml.Replace("\"credit_score\", \"income\"", "\"credit_score\", \"shoe size\""), "scoringModels[0].features[1]", "not a feature name");
        AssertError(DemoPrograms.SeedYaml.Replace("\"credit_score\", \"income\"", "\"credit_score\", \"credit_score\""), "scoringModels[0].features", "named twice");
        AssertError(DemoPrograms.LoanOfferTargetingYaml.Replace("      seed: 42\n", "      seed: 42\n      extraFeatures: \"util, income\"\n"), "dataConnectors[0].config.extraFeatures", "other than the core");
    }

    [Fact]
    public void A_models_role_may_be_named_and_any_column_name_may_be_a_feature()
    {
        var yaml = DemoPrograms.SeedYaml
            .Replace("    endpoint: \"sagemaker://loan-approval-v4\"\n", "    endpoint: \"sagemaker://loan-approval-v4\"\n    role: \"approval\"\n")
            .Replace("\"credit_score\", \"income\"", "\"credit_score\", \"Bureau_Inquiries_6m\"");
        var result = ProgramConfigParser.ParseYaml(yaml);

        Assert.Empty(result.Errors);
        Assert.Equal(ModelRoles.Approval, result.Config!.ScoringModels[0].Role);
        Assert.Null(result.Config.ScoringModels[1].Role);
        Assert.Contains("Bureau_Inquiries_6m", result.Config.ScoringModels[0].Features);
        var json = ProgramDocument.ToJson(result.Config);
        Assert.Equal(json, ProgramDocument.ToJson(ProgramConfigParser.ParseJson(json).Config!));
        AssertError(yaml.Replace("role: \"approval\"", "role: \"fraud\""), "scoringModels[0].role", "not a model role");

        var challenged = ProgramConfigParser.ParseYaml(yaml.Replace("role: \"approval\"", "role: \"approval\"\n    challenger: \"bank-approval\"")).Config!;
        Assert.Equal("bank-approval", challenged.ScoringModels[0].Challenger);
        Assert.Contains("challenger: bank-approval", ProgramDocument.ToYaml(challenged));
        AssertError(yaml.Replace("role: \"approval\"", "challenger: \"loan-approval-v4\""), "scoringModels[0].challenger", "another model's id");
    }

    [Fact]
    public void Schedule_time_zone_and_fee_are_validated()
    {
        AssertError(DemoPrograms.SeedYaml.Replace("cron(0 2 ? * MON *)", "cron(0 25 ? * MON *)"), "batchSchedule", "not a valid cron expression");
        AssertError(DemoPrograms.SeedYaml.Replace("cron(0 2 ? * MON *)", "cron(0 2 ? * MON 2027)"), "batchSchedule", "year field");
        AssertError(DemoPrograms.SeedYaml + "\ntimeZone: \"Mars/Olympus\"\n", "timeZone", "not a known IANA time zone");
        AssertError(DemoPrograms.SeedYaml + "\nprocessingFeePercent: 7\n", "processingFeePercent", "at most 5");
        Assert.Empty(ProgramConfigParser.ParseYaml(DemoPrograms.SeedYaml + "\ntimeZone: \"Europe/Berlin\"\nversion: 4\n").Errors);
    }

    [Fact]
    public void Malformed_documents_are_one_clear_error()
    {
        var yaml = Assert.Single(Errors("programId: [unclosed"));
        Assert.Equal("$", yaml.Path);
        Assert.Contains("line", yaml.Message);

        var json = Assert.Single(ProgramConfigParser.ParseJson("{ \"programId\": ").Errors);
        Assert.Equal("$", json.Path);
    }

    [Fact]
    public void Aws_cron_runs_weekly_on_monday_at_2()
    {
        var schedule = ScheduleExpression.Parse("cron(0 2 ? * MON *)");

        Assert.Equal("0 2 ? * MON", schedule.CronText);
        // Wednesday 2026-03-04 -> Monday 2026-03-09 02:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 3, 9, 2, 0, 0, TimeSpan.Zero), schedule.GetNextOccurrence(new DateTimeOffset(2026, 3, 4, 12, 0, 0, TimeSpan.Zero), TimeZoneInfo.Utc));
    }

    [Fact]
    public void Aws_day_numbers_start_at_sunday_and_time_zones_are_honoured()
    {
        // AWS 2 = Monday; 02:00 in New York during EST is 07:00 UTC.
        var schedule = ScheduleExpression.Parse("cron(0 2 ? * 2 *)");
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

        Assert.Equal("0 2 ? * 1", schedule.CronText);
        Assert.Equal(new DateTimeOffset(2026, 1, 12, 7, 0, 0, TimeSpan.Zero), schedule.GetNextOccurrence(new DateTimeOffset(2026, 1, 7, 0, 0, 0, TimeSpan.Zero), newYork)?.ToUniversalTime());
        Assert.Throws<FormatException>(() => ScheduleExpression.Parse("every monday"));
    }

    [Theory]
    [InlineData("a: &a [1, 2]\nb: *a\n", "anchors")]
    [InlineData("a: [1, 2\nb: {", "invalid YAML")]
    [InlineData("a: 1\n---\nb: 2\n", "one YAML document")]
    public void Hostile_or_broken_yaml_is_one_error_at_the_root(string yaml, string expected)
    {
        var result = ProgramConfigParser.ParseYaml(yaml);

        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.Equal("$", error.Path);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nine_levels_of_nine_aliases_are_refused_before_they_expand()
    {
        var yaml = new System.Text.StringBuilder("a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var level = 1; level <= 8; level++)
        {
            yaml.Append($"a{level}: &a{level} [{string.Join(",", Enumerable.Repeat($"*a{level - 1}", 9))}]\n");
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = ProgramConfigParser.ParseYaml(yaml.ToString());
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("anchors are not accepted", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
        Assert.True(allocated < 1024 * 1024, $"Refusing a {yaml.Length}-byte document allocated {allocated:N0} bytes.");
    }

    [Fact]
    public void Nesting_deeper_than_the_cap_is_refused_in_yaml_and_json()
    {
        var deep = new string('[', ProgramConfigParser.MaxDocumentDepth + 5) + new string(']', ProgramConfigParser.MaxDocumentDepth + 5);

        var yaml = ProgramConfigParser.ParseYaml("a: " + deep);
        var json = ProgramConfigParser.ParseJson("{\"a\": " + deep + "}");

        Assert.Contains("nested deeper", Assert.Single(yaml.Errors).Message, StringComparison.Ordinal);
        Assert.Contains("depth", Assert.Single(json.Errors).Message, StringComparison.Ordinal);
    }
}
