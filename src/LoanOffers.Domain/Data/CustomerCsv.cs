using System.Globalization;
using CsvHelper;

namespace LoanOffers.Domain;

/// <summary>
/// The customer file format, one row per customer, columns matched by header name (case-insensitive, any order).
/// Required: <c>customer_id, credit_score, income</c> (annual), <c>debt_to_income_ratio, account_age_months,
/// deposit_balance, employment_status, state, date_of_birth</c> (yyyy-MM-dd), <c>identity_verified, account_status</c>.
/// Optional, with their defaults: <c>existing_loans</c> 0, <c>late_payments_12m</c> 0, <c>months_employed</c> 0,
/// <c>income_stability</c> variable (unknown is not stable), <c>prescreen_opt_out, email_opt_out, sms_opt_out,
/// in_app_opt_out</c> false, <c>last_offer_at</c> none (ISO 8601), <c>transaction_pattern</c> stable,
/// <c>savings_rate</c> 0, <c>first_name, email, phone</c> none. Enums are written snake_case (self_employed) and
/// read in any case, with or without underscores; booleans are true/false. Every other column is one of the bank's
/// own numeric features, kept under its name for models that use it (<see cref="CustomerProfile.Extra"/>).
/// </summary>
public static class CustomerCsvColumns
{
    public const string CustomerId = "customer_id";
    public const string CreditScore = "credit_score";
    public const string Income = "income";
    public const string DebtToIncome = "debt_to_income_ratio";
    public const string AccountAgeMonths = "account_age_months";
    public const string DepositBalance = "deposit_balance";
    public const string ExistingLoans = "existing_loans";
    public const string LatePayments = "late_payments_12m";
    public const string EmploymentStatus = "employment_status";
    public const string MonthsEmployed = "months_employed";
    public const string IncomeStability = "income_stability";
    public const string IdentityVerified = "identity_verified";
    public const string AccountStatus = "account_status";
    public const string State = "state";
    public const string DateOfBirth = "date_of_birth";
    public const string PrescreenOptOut = "prescreen_opt_out";
    public const string EmailOptOut = "email_opt_out";
    public const string SmsOptOut = "sms_opt_out";
    public const string InAppOptOut = "in_app_opt_out";
    public const string LastOfferAt = "last_offer_at";
    public const string TransactionPattern = "transaction_pattern";
    public const string SavingsRate = "savings_rate";
    public const string FirstName = "first_name";
    public const string Email = "email";
    public const string Phone = "phone";

    public static readonly IReadOnlyList<string> All =
    [
        CustomerId, CreditScore, Income, DebtToIncome, AccountAgeMonths, DepositBalance, ExistingLoans, LatePayments,
        EmploymentStatus, MonthsEmployed, IncomeStability, IdentityVerified, AccountStatus, State, DateOfBirth,
        PrescreenOptOut, EmailOptOut, SmsOptOut, InAppOptOut, LastOfferAt, TransactionPattern, SavingsRate,
        FirstName, Email, Phone,
    ];

    /// <summary>The column that holds a profile field (by its camelCase name); the field's own name when none does.</summary>
    public static string ForField(string field) => field switch
    {
        "annualIncome" => Income,
        "debtToIncome" => DebtToIncome,
        "latePaymentsLast12Months" => LatePayments,
        _ => All.FirstOrDefault(column => string.Equals(column.Replace("_", string.Empty), field, StringComparison.OrdinalIgnoreCase)) ?? field,
    };

    public static readonly IReadOnlyList<string> Required =
    [
        CustomerId, CreditScore, Income, DebtToIncome, AccountAgeMonths, DepositBalance, EmploymentStatus, State,
        DateOfBirth, IdentityVerified, AccountStatus,
    ];
}

/// <summary>One data row: the profile, or why the row was refused. <see cref="LineNumber"/> is the file's line (header = 1).</summary>
public sealed record CsvRecordResult(int LineNumber, CustomerProfile? Profile, string? Error);

/// <summary>
/// Reads customers from CSV (see <see cref="CustomerCsvColumns"/>). A bad row is reported with its line and
/// reason and reading goes on; a missing required column is one error on line 1 and nothing else is read.
/// </summary>
public static class CustomerCsvReader
{
    /// <summary>
    /// Reads the rows; <paramref name="extraColumns"/> hears, before the first row, which of the bank's own columns the
    /// file has (none: not called).
    /// </summary>
    public static IEnumerable<CsvRecordResult> Read(TextReader reader, Action<FeatureSchema>? extraColumns = null)
    {
        // Rows with broken quoting are skipped by the reader and reported here, in line order with the others.
        var malformed = new Queue<CsvRecordResult>();
        var options = new CsvReaderOptions
        {
            Separator = ',',
            TrackLineNumbers = true,
            MalformedData = CsvMalformedDataHandling.Skip,
            OnMalformedRecord = record => malformed.Enqueue(new CsvRecordResult((int)record.LineNumber, null, $"malformed CSV: {record.Reason}")),
        };
        using var csv = CsvReader.Create(reader, options, leaveOpen: true);
        var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var headers = csv.Headers;
        for (var i = 0; i < headers.Count; i++)
        {
            columns.TryAdd(headers[i].Trim(), i);
        }

        var missing = CustomerCsvColumns.Required.Where(c => !columns.ContainsKey(c)).ToList();
        if (missing.Count > 0)
        {
            yield return new CsvRecordResult(1, null, headers.Count == 0
                ? "the file is empty; a header row is required"
                : $"missing required column(s): {string.Join(", ", missing)}");
            yield break;
        }

        var schema = ExtraColumns(headers);
        if (schema is not null)
        {
            extraColumns?.Invoke(schema);
        }

        while (csv.Read())
        {
            var line = (int)csv.LineNumber;
            while (malformed.TryPeek(out var bad) && bad.LineNumber < line)
            {
                yield return malformed.Dequeue();
            }

            yield return ParseRow(new Row(csv, columns), schema, line);
        }

        while (malformed.TryDequeue(out var bad))
        {
            yield return bad;
        }
    }

    /// <summary>The bank's own columns in a header: every one that is not a <see cref="CustomerCsvColumns"/> column; null when there are none.</summary>
    public static FeatureSchema? ExtraColumns(IReadOnlyList<string> headers)
    {
        var extra = headers
            .Select(header => header.Trim())
            .Where(header => header.Length > 0 && !CustomerCsvColumns.All.Contains(header, StringComparer.OrdinalIgnoreCase))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        return extra.Count == 0 ? null : new FeatureSchema(extra);
    }

    private static CsvRecordResult ParseRow(Row row, FeatureSchema? schema, int line)
    {
        try
        {
            var profile = new CustomerProfile
            {
                CustomerId = row.Required(CustomerCsvColumns.CustomerId),
                CreditScore = row.Int(CustomerCsvColumns.CreditScore, required: true)!.Value,
                AnnualIncome = row.Decimal(CustomerCsvColumns.Income, required: true)!.Value,
                DebtToIncome = row.Decimal(CustomerCsvColumns.DebtToIncome, required: true)!.Value,
                AccountAgeMonths = row.Int(CustomerCsvColumns.AccountAgeMonths, required: true)!.Value,
                DepositBalance = row.Decimal(CustomerCsvColumns.DepositBalance, required: true)!.Value,
                ExistingLoans = row.Int(CustomerCsvColumns.ExistingLoans) ?? 0,
                LatePaymentsLast12Months = row.Int(CustomerCsvColumns.LatePayments) ?? 0,
                EmploymentStatus = row.Enum<EmploymentStatus>(CustomerCsvColumns.EmploymentStatus, required: true)!.Value,
                MonthsEmployed = row.Int(CustomerCsvColumns.MonthsEmployed) ?? 0,
                IncomeStability = row.Enum<IncomeStability>(CustomerCsvColumns.IncomeStability) ?? IncomeStability.Variable,
                IdentityVerified = row.Bool(CustomerCsvColumns.IdentityVerified, required: true)!.Value,
                AccountStatus = row.Enum<AccountStatus>(CustomerCsvColumns.AccountStatus, required: true)!.Value,
                State = row.Required(CustomerCsvColumns.State).ToUpperInvariant(),
                DateOfBirth = row.Parse(CustomerCsvColumns.DateOfBirth, "a date (yyyy-MM-dd)", text =>
                    DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : (DateOnly?)null, required: true)!.Value,
                PrescreenOptOut = row.Bool(CustomerCsvColumns.PrescreenOptOut) ?? false,
                EmailOptOut = row.Bool(CustomerCsvColumns.EmailOptOut) ?? false,
                SmsOptOut = row.Bool(CustomerCsvColumns.SmsOptOut) ?? false,
                InAppOptOut = row.Bool(CustomerCsvColumns.InAppOptOut) ?? false,
                LastOfferAt = row.Parse(CustomerCsvColumns.LastOfferAt, "an ISO 8601 timestamp", text =>
                    DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : (DateTimeOffset?)null),
                TransactionPattern = row.Enum<TransactionPattern>(CustomerCsvColumns.TransactionPattern) ?? TransactionPattern.Stable,
                SavingsRate = row.Decimal(CustomerCsvColumns.SavingsRate) ?? 0m,
                FirstName = row.Optional(CustomerCsvColumns.FirstName),
                Email = row.Optional(CustomerCsvColumns.Email),
                Phone = row.Optional(CustomerCsvColumns.Phone),
                Extra = schema is null ? null : new ExtraFeatures(schema.Id, [.. schema.Names.Select(column => row.Float(column))]),
            };

            var errors = CustomerProfileValidator.Validate(profile);
            return errors.Count == 0
                ? new CsvRecordResult(line, profile, null)
                : new CsvRecordResult(line, null, string.Join("; ", errors.Select(e => $"{row.Describe(CustomerCsvColumns.ForField(e.Field))} {e.Message}")));
        }
        catch (FormatException ex)
        {
            return new CsvRecordResult(line, null, ex.Message);
        }
    }

    private readonly struct Row(CsvReader csv, Dictionary<string, int> columns)
    {
        public string? Optional(string column) =>
            columns.TryGetValue(column, out var index) && index < csv.FieldCount && csv.GetString(index).Trim() is { Length: > 0 } value ? value : null;

        public string Required(string column) => Optional(column) ?? throw new FormatException($"{Describe(column)} is required");

        /// <summary>A column as a bad-row message names it: by name and position, never by the value it holds.</summary>
        public string Describe(string column) => columns.TryGetValue(column, out var index) ? $"{column} (column {index + 1})" : column;

        public T? Parse<T>(string column, string expected, Func<string, T?> parse, bool required = false)
            where T : struct
        {
            var text = required ? Required(column) : Optional(column);
            if (text is null)
            {
                return null;
            }

            return parse(text) ?? throw new FormatException($"{Describe(column)} is not {expected}");
        }

        public int? Int(string column, bool required = false) => Parse(column, "a whole number", text =>
            int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : (int?)null, required);

        public decimal? Decimal(string column, bool required = false) => Parse(column, "a number", text =>
            decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) ? value : (decimal?)null, required);

        /// <summary>A bank's own feature column: a finite number, never left empty.</summary>
        public float Float(string column) => Parse(column, "a finite number", text =>
            float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && float.IsFinite(value) ? value : (float?)null, required: true)!.Value;

        public bool? Bool(string column, bool required = false) => Parse(column, "true or false", text =>
            bool.TryParse(text, out var value) ? value : (bool?)null, required);

        public TEnum? Enum<TEnum>(string column, bool required = false)
            where TEnum : struct, Enum => Parse(column, $"one of {string.Join(", ", System.Enum.GetNames<TEnum>().Select(CustomerCsvWriter.SnakeCase))}", text =>
            System.Enum.TryParse<TEnum>(text.Replace("_", "").Replace("-", ""), ignoreCase: true, out var value) && System.Enum.IsDefined(value) && !char.IsAsciiDigit(text[0]) ? value : (TEnum?)null, required);
    }
}

/// <summary>Writes customers in the <see cref="CustomerCsvColumns"/> format, all columns, header first.</summary>
public static class CustomerCsvWriter
{
    public static void Write(TextWriter writer, IEnumerable<CustomerProfile> profiles)
    {
        using var csv = CsvWriter.Create(writer, CsvWriterOptions.Default with { NewLine = "\n" }, leaveOpen: true);
        csv.WriteHeader([.. CustomerCsvColumns.All]);
        foreach (var p in profiles)
        {
            csv.WriteRecord(
            [
                p.CustomerId, Invariant(p.CreditScore), Invariant(p.AnnualIncome), Invariant(p.DebtToIncome),
                Invariant(p.AccountAgeMonths), Invariant(p.DepositBalance), Invariant(p.ExistingLoans),
                Invariant(p.LatePaymentsLast12Months), SnakeCase(p.EmploymentStatus.ToString()), Invariant(p.MonthsEmployed),
                SnakeCase(p.IncomeStability.ToString()), Bool(p.IdentityVerified), SnakeCase(p.AccountStatus.ToString()), p.State,
                p.DateOfBirth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Bool(p.PrescreenOptOut), Bool(p.EmailOptOut),
                Bool(p.SmsOptOut), Bool(p.InAppOptOut), p.LastOfferAt?.ToString("O", CultureInfo.InvariantCulture),
                SnakeCase(p.TransactionPattern.ToString()), Invariant(p.SavingsRate), p.FirstName, p.Email, p.Phone,
            ]);
        }
    }

    /// <summary>SelfEmployed -> self_employed.</summary>
    public static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    private static string Bool(bool value) => value ? "true" : "false";
}
