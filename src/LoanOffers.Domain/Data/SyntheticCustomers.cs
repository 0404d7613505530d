namespace LoanOffers.Domain;

/// <summary>
/// Deterministic synthetic customers for demos, tests and model training. Each customer is drawn from its own
/// random stream (seed and index), so any page can be generated without the ones before it.
/// <para>
/// The population reproduces seed 000's funnel under the demo program: of all customers, the trust filter removes
/// about 5%, credit qualification 25%, affordability 20%, eligibility 15% and regulatory compliance 10%, leaving
/// 25%, which split about 30/50/20 into the excellent/good/fair tiers when scored with
/// <see cref="ApprovalProbability"/>. Each customer is first assigned the stage it should stop at, then given
/// plausible values that pass every earlier stage and fail that one for one concrete reason.
/// </para>
/// </summary>
public static class SyntheticCustomers
{
    /// <summary>The "now" the population is drawn for when none is given (a Monday, 02:00 UTC, as the batch runs).</summary>
    public static readonly DateTimeOffset ReferenceDate = new(2026, 1, 5, 2, 0, 0, TimeSpan.Zero);

    private enum Fate { Trust, Credit, Affordability, Eligibility, Regulatory, Excellent, Good, Fair }

    // Shares of the whole population, from seed 000 (passers: 25% x 30/50/20).
    private static readonly (Fate Fate, double Share)[] Fates =
    [
        (Fate.Trust, 0.05), (Fate.Credit, 0.25), (Fate.Affordability, 0.20), (Fate.Eligibility, 0.15), (Fate.Regulatory, 0.10),
        (Fate.Excellent, 0.075), (Fate.Good, 0.125), (Fate.Fair, 0.05),
    ];

    private static readonly string[] States = [.. UsStates.Codes.Order(StringComparer.Ordinal)];
    private static readonly string[] ForeignRegions = ["ON", "BC", "QC", "PR", "GU", "VI"];
    private static readonly string[] FirstNames =
    [
        "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
        "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Carlos", "Maria",
        "Wei", "Mei", "Ahmed", "Fatima", "Raj", "Priya", "Kwame", "Ama", "Ivan", "Olga",
    ];

    public static IEnumerable<CustomerProfile> Generate(int count, int seed) => Generate(count, seed, ReferenceDate);

    /// <summary>Customers <paramref name="startIndex"/> + 1 to <paramref name="startIndex"/> + <paramref name="count"/>, ids "C0000001" onwards.</summary>
    public static IEnumerable<CustomerProfile> Generate(int count, int seed, DateTimeOffset asOf, int startIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(startIndex);
        for (var index = startIndex + 1; index <= startIndex + count; index++)
        {
            yield return Create(index, seed, asOf);
        }
    }

    /// <summary>
    /// <see cref="Generate(int, int, DateTimeOffset, int)"/> on every core, in the same order: each customer is drawn
    /// from its own index's random stream, so the book is the same however it is split.
    /// </summary>
    public static List<CustomerProfile> GenerateAll(int count, int seed, DateTimeOffset asOf)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        const int ChunkSize = 10_000;
        return [.. Enumerable.Range(0, (count + ChunkSize - 1) / ChunkSize)
            .AsParallel()
            .AsOrdered()
            .SelectMany(chunk => Generate(Math.Min(ChunkSize, count - chunk * ChunkSize), seed, asOf, chunk * ChunkSize))];
    }

    /// <summary>
    /// The latent approval probability of the synthetic population, what an approval model trained on it should
    /// learn: rises with credit score, income and savings, falls with DTI, late payments and unsteady finances.
    /// </summary>
    public static double ApprovalProbability(CustomerProfile profile)
    {
        var z = 1.2 * (profile.CreditScore - 720) / 40.0
            + 4.0 * (0.25 - (double)profile.DebtToIncome)
            + 3.0 * ((double)profile.SavingsRate - 0.1)
            + 0.2 * Math.Log(Math.Max(1.0, (double)profile.AnnualIncome) / 70_000.0)
            - 0.8 * profile.LatePaymentsLast12Months
            - (profile.IncomeStability == IncomeStability.Stable ? 0 : 0.3)
            - (profile.TransactionPattern switch { TransactionPattern.Declining => 0.7, TransactionPattern.Irregular => 0.3, _ => 0 });
        return Logistic(z);
    }

    /// <summary>The latent annual default probability: about 1.5% at 700 and 30% DTI, far less for prime borrowers.</summary>
    public static double DefaultProbability(CustomerProfile profile)
    {
        var z = -4.2
            - 1.5 * (profile.CreditScore - 700) / 50.0
            + 3.0 * ((double)profile.DebtToIncome - 0.3)
            + 0.6 * profile.LatePaymentsLast12Months
            - 2.0 * (double)profile.SavingsRate
            + (profile.TransactionPattern switch { TransactionPattern.Declining => 0.8, TransactionPattern.Irregular => 0.3, _ => 0 });
        return Logistic(z);
    }

    private static double Logistic(double z) => 1 / (1 + Math.Exp(-z));

    /// <summary>
    /// Values of a bank's own columns for a synthetic customer: each in [0, 1), the same for the same customer, column
    /// and seed, unrelated to the latent probabilities (they stand for columns the engine has never heard of).
    /// </summary>
    public static ExtraFeatures ExtraFeatures(CustomerProfile profile, FeatureSchema schema, int seed) =>
        new(schema.Id, [.. schema.Names.Select(column => Unit(profile.CustomerId, column, seed))]);

    /// <summary>FNV-1a over the customer, column and seed, to [0, 1): stable across processes, unlike <see cref="HashCode"/>.</summary>
    private static float Unit(string customerId, string column, int seed)
    {
        var hash = 2166136261u ^ (uint)seed;
        foreach (var character in customerId + "\n" + column)
        {
            hash = (hash ^ character) * 16777619u;
        }

        return (hash >> 8) / (float)(1 << 24);
    }

    private static CustomerProfile Create(int index, int seed, DateTimeOffset asOf)
    {
        var random = new Random(StreamSeed(seed, index));
        var id = $"C{index:D7}";
        var fate = DrawFate(random);
        return fate switch
        {
            Fate.Excellent or Fate.Good or Fate.Fair => DrawPasser(random, id, asOf, fate),
            _ => Fail(random, Qualified(random, id, asOf, 680, 820), asOf, fate),
        };
    }

    private static int StreamSeed(int seed, int index)
    {
        // SplitMix64 finaliser: neighbouring indexes get unrelated streams.
        var x = ((ulong)(uint)seed << 32) | (uint)index;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return (int)((x ^ (x >> 31)) & int.MaxValue);
    }

    private static Fate DrawFate(Random random)
    {
        var draw = random.NextDouble();
        foreach (var (fate, share) in Fates)
        {
            draw -= share;
            if (draw < 0)
            {
                return fate;
            }
        }

        return Fate.Good;
    }

    // Tier = the lower of credit segment (excellent from 750) and approval band; redraw until it is the intended one.
    private static CustomerProfile DrawPasser(Random random, string id, DateTimeOffset asOf, Fate tier)
    {
        var (minScore, maxScore) = tier switch
        {
            Fate.Excellent => (750, 850),
            Fate.Good => (680, 800),
            _ => (680, 740),
        };
        CustomerProfile profile;
        var attempts = 0;
        do
        {
            profile = Qualified(random, id, asOf, minScore, maxScore);
        }
        while (TierOf(profile) != tier && ++attempts < 100);
        return profile;
    }

    private static Fate? TierOf(CustomerProfile profile)
    {
        var band = ApprovalBands.Rank(ApprovalProbability(profile));
        var segment = profile.CreditScore >= 750 ? 0 : 1;
        return band is { } b ? (Math.Max(b, segment)) switch { 0 => Fate.Excellent, 1 => Fate.Good, _ => Fate.Fair } : null;
    }

    /// <summary>A customer who passes every filter of the demo program.</summary>
    private static CustomerProfile Qualified(Random random, string id, DateTimeOffset asOf, int minScore, int maxScore)
    {
        var employment = Pick(random, (EmploymentStatus.Employed, 0.75), (EmploymentStatus.SelfEmployed, 0.13), (EmploymentStatus.Retired, 0.12));
        var age = employment == EmploymentStatus.Retired ? random.Next(60, 86) : random.Next(21, 66);
        var firstName = FirstNames[random.Next(FirstNames.Length)];
        var today = DateOnly.FromDateTime(asOf.UtcDateTime);
        return new CustomerProfile
        {
            CustomerId = id,
            CreditScore = random.Next(minScore, maxScore + 1),
            AnnualIncome = Math.Round(Math.Max(30_000m, LogNormal(random, 72_000, 0.45)), 0),
            DebtToIncome = Math.Round((decimal)(0.05 + 0.35 * random.NextDouble()), 3),
            AccountAgeMonths = random.Next(6, 301),
            DepositBalance = Math.Round(LogNormal(random, 12_000, 1.0), 2),
            ExistingLoans = random.Next(0, 3),
            LatePaymentsLast12Months = 0,
            EmploymentStatus = employment,
            MonthsEmployed = employment == EmploymentStatus.Retired ? 0 : random.Next(6, Math.Max(7, (age - 18) * 12)),
            IncomeStability = random.NextDouble() < (employment == EmploymentStatus.SelfEmployed ? 0.6 : 0.2) ? IncomeStability.Variable : IncomeStability.Stable,
            IdentityVerified = true,
            AccountStatus = AccountStatus.Active,
            State = States[random.Next(States.Length)],
            DateOfBirth = today.AddYears(-age).AddDays(-random.Next(0, 365)),
            PrescreenOptOut = false,
            EmailOptOut = random.NextDouble() < 0.10,
            SmsOptOut = random.NextDouble() < 0.25,
            InAppOptOut = random.NextDouble() < 0.05,
            LastOfferAt = random.NextDouble() < 0.5 ? null : asOf.AddDays(-random.Next(91, 700)),
            TransactionPattern = Pick(random, (TransactionPattern.Stable, 0.85), (TransactionPattern.Irregular, 0.10), (TransactionPattern.Declining, 0.05)),
            SavingsRate = Math.Round((decimal)(0.3 * random.NextDouble()), 3),
            FirstName = firstName,
            Email = $"{firstName.ToLowerInvariant()}.{id.ToLowerInvariant()}@example.com",
            Phone = $"+1555{random.Next(0, 10_000_000):D7}",
        };
    }

    /// <summary>Breaks one rule of the given stage, for one concrete reason.</summary>
    private static CustomerProfile Fail(Random random, CustomerProfile profile, DateTimeOffset asOf, Fate stage)
    {
        var reason = random.NextDouble();
        return stage switch
        {
            Fate.Trust => reason < 0.6
                ? profile with { IdentityVerified = false }
                : profile with { AccountStatus = Pick(random, (AccountStatus.Dormant, 0.6), (AccountStatus.Frozen, 0.2), (AccountStatus.Closed, 0.2)) },
            Fate.Credit => reason switch
            {
                < 0.55 => profile with { CreditScore = random.Next(520, 680) },
                < 0.80 => profile with { DebtToIncome = Math.Round((decimal)(0.44 + 0.21 * random.NextDouble()), 3) },
                _ => profile with { LatePaymentsLast12Months = random.Next(1, 4) },
            },
            Fate.Affordability => reason switch
            {
                < 0.35 => profile with { IncomeStability = IncomeStability.Unstable },
                < 0.65 => profile with { EmploymentStatus = random.NextDouble() < 0.6 ? EmploymentStatus.Unemployed : EmploymentStatus.Student, MonthsEmployed = 0 },
                < 0.85 => profile with { EmploymentStatus = EmploymentStatus.Employed, MonthsEmployed = random.Next(0, 6) },
                // Nearly at the DTI ceiling on a modest income: too little room for the smallest loan.
                _ => profile with { DebtToIncome = Math.Round((decimal)(0.4255 + 0.0045 * random.NextDouble()), 4), AnnualIncome = random.Next(30_000, 40_001) },
            },
            Fate.Eligibility => reason < 0.7
                ? profile with { LastOfferAt = asOf.AddHours(-random.Next(24, 89 * 24)) }
                : profile with { PrescreenOptOut = true },
            Fate.Regulatory => reason switch
            {
                < 0.35 => profile with
                {
                    DateOfBirth = DateOnly.FromDateTime(asOf.UtcDateTime).AddYears(-17).AddDays(-random.Next(0, 365)),
                    EmploymentStatus = EmploymentStatus.Employed,
                    MonthsEmployed = random.Next(6, 13),
                },
                < 0.5 => profile with { State = random.NextDouble() < 0.5 ? "AL" : "NE", DateOfBirth = DateOnly.FromDateTime(asOf.UtcDateTime).AddYears(-18).AddDays(-random.Next(0, 300)) },
                _ => profile with { State = ForeignRegions[random.Next(ForeignRegions.Length)] },
            },
            _ => profile,
        };
    }

    private static decimal LogNormal(Random random, double median, double sigma)
    {
        // Box-Muller; 1 - NextDouble() keeps the logarithm's argument above zero.
        var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return (decimal)(median * Math.Exp(sigma * normal));
    }

    private static T Pick<T>(Random random, params (T Value, double Share)[] choices)
    {
        var draw = random.NextDouble();
        foreach (var (value, share) in choices)
        {
            draw -= share;
            if (draw < 0)
            {
                return value;
            }
        }

        return choices[^1].Value;
    }
}
