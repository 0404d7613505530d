namespace LoanOffers.Domain;

/// <summary>The program the engine ships as its demo, and seed 000's program YAML exactly as written.</summary>
public static class DemoPrograms
{
    /// <summary>
    /// Seed 000's program with its Snowflake connector swapped for a synthetic one (200,000 customers, seed 42),
    /// so the demo runs without a warehouse; everything else is the seed's text.
    /// </summary>
    public static readonly string LoanOfferTargetingYaml = SwapConnector(SeedYaml);

    /// <summary>Seed 000's "Program Configuration" block, verbatim.</summary>
    public const string SeedYaml = """
        programId: "loan-offer-targeting"
        programName: "Loan Offer Targeting"
        enabled: true
        marketplaces: ["US"]  # US only due to regulatory requirements

        dataConnectors:
          - connectorId: "snowflake-credit-profiles"
            type: "snowflake"
            config:
              account: "bank.us-east-1"
              database: "customer_data"
              schema: "credit"
              query: |
                SELECT customer_id, credit_score, income,
                       debt_to_income_ratio, account_age,
                       deposit_balance, transaction_history,
                       existing_loans, payment_history
                FROM customer_credit_profiles
                WHERE credit_score >= 680
                AND debt_to_income_ratio <= 0.43
                AND existing_loans < 3

        scoringModels:
          - modelId: "loan-approval-v4"
            endpoint: "sagemaker://loan-approval-v4"
            features: ["credit_score", "income", "debt_to_income", "payment_history"]
          - modelId: "default-risk-v3"
            endpoint: "sagemaker://default-risk-v3"
            features: ["account_age", "deposit_balance", "transaction_patterns", "savings_rate"]

        filterChain:
          - filterId: "trust"
            type: "trust"
            order: 1
          - filterId: "credit-qualification"
            type: "business-rule"
            order: 2
            parameters:
              minCreditScore: 680
              maxDebtToIncome: 0.43
              minPaymentHistory: 12  # months no late payments
          - filterId: "affordability"
            type: "business-rule"
            order: 3
            parameters:
              checkIncomeStability: true
              checkEmploymentStatus: true
          - filterId: "eligibility"
            type: "eligibility"
            order: 4
          - filterId: "regulatory-compliance"
            type: "business-rule"
            order: 5
            parameters:
              checkStateLaws: true
              checkFederalCompliance: true
              excludedStates: []

        channels:
          - channelId: "email"
            type: "email"
            enabled: true
            priority: 1
            config:
              templateId: "loan-offer-v3"
              sendTime: "10:00"
              timezone: "local"
              personalization: "high"
              includePreApprovalDetails: true
          - channelId: "in-app"
            type: "in-app"
            enabled: true
            priority: 2
            config:
              bannerType: "loan-offer"
              displayDuration: 30  # days
              placement: "dashboard"
          - channelId: "sms"
            type: "sms"
            enabled: true
            priority: 3
            config:
              message: "You're pre-approved for a ${loanAmount} loan at {apr}% APR. Apply now: {link}"
              excellentCreditOnly: true

        loanOfferStrategy:
          enabled: true
          segmentedOffers: true
          segments:
            - creditTier: "excellent"
              creditScoreRange: [750, 850]
              maxLoanAmount: 50000
              interestRate: 5.5
              term: 60  # months
            - creditTier: "good"
              creditScoreRange: [680, 749]
              maxLoanAmount: 30000
              interestRate: 6.5
              term: 48  # months
            - creditTier: "fair"
              creditScoreRange: [640, 679]
              maxLoanAmount: 15000
              interestRate: 7.5
              term: 36  # months

        regulatoryCompliance:
          enabled: true
          truthInLending: true
          fairLending: true
          equalCreditOpportunity: true
          disclosures:
            - type: "APR"
              required: true
            - type: "fees"
              required: true
            - type: "terms"
              required: true

        batchSchedule: "cron(0 2 ? * MON *)"  # Weekly on Monday at 2 AM UTC
        candidateTTLDays: 90
        """;

    private static string SwapConnector(string seedYaml)
    {
        var start = seedYaml.IndexOf("dataConnectors:", StringComparison.Ordinal);
        var end = seedYaml.IndexOf("scoringModels:", StringComparison.Ordinal);
        const string synthetic = """
            dataConnectors:
              - connectorId: "synthetic-credit-profiles"
                type: "synthetic"
                config:
                  count: 200000
                  seed: 42


            """;
        return seedYaml[..start] + synthetic + seedYaml[end..];
    }
}
