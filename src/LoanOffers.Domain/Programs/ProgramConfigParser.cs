using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Orleans;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace LoanOffers.Domain;

/// <summary>A configuration mistake, named by its path, e.g. <c>loanOfferStrategy.segments[1].interestRate</c>.</summary>
[GenerateSerializer, Immutable, Alias("loanoffers.ConfigError")]
public sealed record ConfigError(string Path, string Message);

/// <summary>Either a valid <see cref="Config"/> and no errors, or no config and every error found.</summary>
public sealed record ProgramConfigParseResult(ProgramConfig? Config, IReadOnlyList<ConfigError> Errors)
{
    public bool Succeeded => Config is not null;
}

/// <summary>
/// Reads seed 000's program YAML, or the same shape as JSON, and validates all of it at once. Unknown keys are
/// errors (a misspelt rule must not be silently ignored by a bank); only the free-form <c>config</c> maps of
/// connectors and channels take any key.
/// </summary>
public static partial class ProgramConfigParser
{
    public const decimal MaxInterestRatePercent = 36m;
    public const int MinTermMonths = 6;
    public const int MaxTermMonths = 120;
    public const decimal MaxLoanAmountLimit = 1_000_000m;


    /// <summary>Deepest nesting a program document may have; seed 000's program is five levels deep.</summary>
    public const int MaxDocumentDepth = 12;

    /// <summary>Most nodes a program document may have; seed 000's program has about 150.</summary>
    public const int MaxDocumentNodes = 10_000;

    public static ProgramConfigParseResult ParseYaml(string yaml)
    {
        ConfigNode root;
        try
        {
            if (RefuseHostileYaml(yaml) is { } refused)
            {
                return Failed("$", refused);
            }

            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count != 1)
            {
                return Failed("$", $"expected one YAML document, found {stream.Documents.Count}");
            }

            root = ConfigNode.FromYaml(stream.Documents[0].RootNode);
        }
        catch (YamlException ex)
        {
            return Failed("$", $"invalid YAML at line {ex.Start.Line}, column {ex.Start.Column}: {(ex.InnerException ?? ex).Message}");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way on some truncated documents instead of with a YamlException.
            return Failed("$", "invalid YAML: the document is malformed or ends inside a value");
        }

        return Bind(root);
    }

    public static ProgramConfigParseResult ParseJson(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDocumentDepth });
            return Bind(ConfigNode.FromJson(document.RootElement));
        }
        catch (JsonException ex)
        {
            return Failed("$", $"invalid JSON at line {ex.LineNumber + 1}: {ex.Message}");
        }
    }

    /// <summary>
    /// Reads the document's events once, before anything is built from them, and refuses what would cost more than the
    /// document's size: anchors and aliases (a few hundred bytes of nested aliases expand to gigabytes), nesting deeper
    /// than <see cref="MaxDocumentDepth"/> and more than <see cref="MaxDocumentNodes"/> nodes.
    /// </summary>
    private static string? RefuseHostileYaml(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var depth = 0;
        var nodes = 0;
        while (parser.MoveNext())
        {
            var current = parser.Current!;
            switch (current)
            {
                case AnchorAlias alias:
                    return $"YAML aliases are not accepted (line {alias.Start.Line}, column {alias.Start.Column}): write the value out.";
                case NodeEvent { Anchor.IsEmpty: false } anchored:
                    return $"YAML anchors are not accepted (line {anchored.Start.Line}, column {anchored.Start.Column}): write the value out.";
                case MappingStart or SequenceStart when ++depth > MaxDocumentDepth:
                    return $"The document is nested deeper than {MaxDocumentDepth} levels (line {current.Start.Line}).";
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
            }

            if (current is NodeEvent && ++nodes > MaxDocumentNodes)
            {
                return $"The document has more than {MaxDocumentNodes:N0} values.";
            }
        }

        return null;
    }

    private static ProgramConfigParseResult Failed(string path, string message) => new(null, [new ConfigError(path, message)]);

    private static ProgramConfigParseResult Bind(ConfigNode root)
    {
        var errors = new List<ConfigError>();
        var config = new ProgramBinder(errors).Bind(root);
        return errors.Count == 0 ? new(config, []) : new(null, errors);
    }

    // Program ids become grain keys and table keys, which must not hold '/', '\', '#' or '?'.
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex ProgramIdPattern();

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex TwoLetterCode();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex ModelId();

    /// <summary>A model feature: a connector's column name.</summary>
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
    public static partial Regex FeatureName();

    private sealed class ProgramBinder(List<ConfigError> errors)
    {
        public ProgramConfig? Bind(ConfigNode root)
        {
            var map = Map(root, "$");
            if (map is null)
            {
                return null;
            }

            var programId = map.String("programId");
            if (programId is not null && !ProgramIdPattern().IsMatch(programId))
            {
                Error("programId", $"'{programId}' must be 1-64 lower-case letters, digits, '-' or '_', starting with a letter or digit");
            }

            var programName = map.String("programName");
            var enabled = map.Bool("enabled");
            var version = map.Int("version", required: false, min: 1);
            var timeZone = map.String("timeZone", required: false);
            if (timeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
            {
                Error("timeZone", $"'{timeZone}' is not a known IANA time zone");
            }

            var fee = map.Decimal("processingFeePercent", required: false, min: 0, max: ProgramConfig.MaxProcessingFeePercent);
            var marketplaces = map.Sequence("marketplaces", (node, path) =>
            {
                var code = ScalarString(node, path);
                if (code is not null && !TwoLetterCode().IsMatch(code))
                {
                    Error(path, $"'{code}' must be a two-letter upper-case country code");
                }

                return code;
            }, nonEmpty: true);
            var connectors = map.Sequence("dataConnectors", BindConnector, nonEmpty: true);
            var models = map.Sequence("scoringModels", BindModel, nonEmpty: true);
            var filters = map.Sequence("filterChain", BindFilter, nonEmpty: true);
            var channels = map.Sequence("channels", BindChannel, required: false);
            var strategy = map.Object("loanOfferStrategy", BindStrategy);
            var compliance = map.Object("regulatoryCompliance", BindCompliance, required: false);
            var schedule = map.String("batchSchedule");
            if (schedule is not null && !ScheduleExpression.TryParse(schedule, out _, out var scheduleError))
            {
                Error("batchSchedule", scheduleError);
            }

            var ttl = map.Int("candidateTTLDays", required: false, min: 1, max: 365);
            map.RejectUnknownKeys();

            CheckUnique(connectors, c => c?.ConnectorId, "dataConnectors", "connectorId");
            CheckUnique(models, m => m?.ModelId, "scoringModels", "modelId");
            CheckUnique(channels, c => c?.ChannelId, "channels", "channelId");
            CheckFilterChain(filters);

            if (errors.Count > 0)
            {
                return null;
            }

            return new ProgramConfig
            {
                ProgramId = programId!,
                ProgramName = programName!,
                Enabled = enabled!.Value,
                Version = version ?? 1,
                TimeZone = timeZone ?? ProgramConfig.DefaultTimeZone,
                ProcessingFeePercent = fee ?? ProgramConfig.DefaultProcessingFeePercent,
                Marketplaces = [.. marketplaces!.Select(m => m!)],
                DataConnectors = [.. connectors!.Select(c => c!)],
                ScoringModels = [.. models!.Select(m => m!)],
                FilterChain = [.. filters!.Select(f => f!)],
                Channels = [.. (channels ?? []).Select(c => c!)],
                LoanOfferStrategy = strategy!,
                RegulatoryCompliance = compliance,
                BatchSchedule = schedule!,
                CandidateTtlDays = ttl ?? 90,
            };
        }

        private DataConnectorConfig? BindConnector(ConfigNode node, string path)
        {
            var map = Map(node, path);
            if (map is null)
            {
                return null;
            }

            var id = map.String("connectorId");
            var type = map.String("type");
            var config = map.Object("config", StringDictionary, required: false) ?? new Dictionary<string, string>();
            map.RejectUnknownKeys();

            switch (type)
            {
                case null:
                    break;
                case DataConnectorTypes.Csv:
                    if (!config.TryGetValue("path", out var csvPath) || string.IsNullOrWhiteSpace(csvPath))
                    {
                        Error($"{path}.config.path", "is required for a csv connector");
                    }

                    break;
                case DataConnectorTypes.Synthetic:
                    CheckIntSetting(config, $"{path}.config", "count", 1, 10_000_000);
                    CheckIntSetting(config, $"{path}.config", "seed", int.MinValue, int.MaxValue);
                    if (config.TryGetValue("extraFeatures", out var extra))
                    {
                        var names = extra.Split(',', StringSplitOptions.TrimEntries);
                        if (names.Any(name => !FeatureName().IsMatch(name)) || names.Distinct(StringComparer.OrdinalIgnoreCase).Count() != names.Length
                            || names.Any(name => ModelFeatures.IsCore(name) || CustomerCsvColumns.All.Contains(name, StringComparer.OrdinalIgnoreCase)))
                        {
                            Error($"{path}.config.extraFeatures", "must be distinct column names (letters, digits and underscores, separated by commas) other than the core fields'");
                        }
                    }

                    break;
                case DataConnectorTypes.Snowflake:
                    break;
                default:
                    Error($"{path}.type", $"'{type}' is not a supported connector type ({string.Join(", ", DataConnectorTypes.All)})");
                    break;
            }

            return id is null || type is null ? null : new DataConnectorConfig(id, type, config);
        }

        private void CheckIntSetting(IReadOnlyDictionary<string, string> config, string path, string key, int min, int max)
        {
            if (!config.TryGetValue(key, out var text))
            {
                Error($"{path}.{key}", "is required");
            }
            else if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            {
                Error($"{path}.{key}", $"'{text}' must be a whole number between {min} and {max}");
            }
        }

        private ScoringModelConfig? BindModel(ConfigNode node, string path)
        {
            var map = Map(node, path);
            if (map is null)
            {
                return null;
            }

            var id = map.String("modelId");
            var endpoint = map.String("endpoint");
            var features = map.Sequence("features", (item, itemPath) =>
            {
                var name = ScalarString(item, itemPath);
                if (name is not null && !FeatureName().IsMatch(name))
                {
                    Error(itemPath, $"'{name}' is not a feature name (letters, digits and underscores, as the connector's column is named)");
                }

                return name;
            }, nonEmpty: true);
            var role = map.String("role", required: false);
            if (role is not null && !ModelRoles.All.Contains(role))
            {
                Error($"{path}.role", $"'{role}' is not a model role ({string.Join(", ", ModelRoles.All)})");
            }

            if (features is not null && features.Distinct(StringComparer.Ordinal).Count() != features.Count)
            {
                Error($"{path}.features", "a feature is named twice");
            }

            var challenger = map.String("challenger", required: false);
            if (challenger is not null && (!ModelId().IsMatch(challenger) || challenger == id))
            {
                Error($"{path}.challenger", $"'{challenger}' must be another model's id (letters, digits, '.', '_' or '-')");
            }

            map.RejectUnknownKeys();
            return id is null || endpoint is null || features is null
                ? null
                : new ScoringModelConfig(id, endpoint, [.. features.Select(f => f!)]) { Role = role, Challenger = challenger };
        }

        private FilterDefinition? BindFilter(ConfigNode node, string path)
        {
            var map = Map(node, path);
            if (map is null)
            {
                return null;
            }

            var id = map.String("filterId");
            var type = map.String("type");
            var order = map.Int("order", min: 1);
            FilterKind? kind = null;
            if (type is not null && id is not null)
            {
                kind = FilterKinds.Resolve(type, id);
                if (kind is null)
                {
                    Error($"{path}.type", type == FilterKinds.BusinessRuleType
                        ? $"business-rule filter '{id}' names no known rule; its filterId must be one of {string.Join(", ", FilterKinds.BusinessRuleIds)}"
                        : $"'{type}' is not a known filter type ({string.Join(", ", FilterKinds.Types)})");
                }
            }

            var parameters = map.Object("parameters", (p, pPath) => BindParameters(p, pPath, kind), required: false) ?? FilterParameters.None;
            map.RejectUnknownKeys();
            return id is null || type is null || order is null || kind is null ? null : new FilterDefinition(id, type, order.Value, parameters);
        }

        private FilterParameters? BindParameters(ConfigNode node, string path, FilterKind? kind)
        {
            var map = Map(node, path);
            if (map is null)
            {
                return null;
            }

            if (kind is { } known)
            {
                var allowed = FilterKinds.ParametersOf(known);
                foreach (var key in map.Keys.Where(k => !allowed.Contains(k)))
                {
                    Error($"{path}.{key}", allowed.Count == 0
                        ? $"is not a parameter of the {known} filter, which takes none"
                        : $"is not a parameter of the {known} filter ({string.Join(", ", allowed)})");
                }
            }

            var parameters = new FilterParameters
            {
                MinCreditScore = map.Int("minCreditScore", required: false, min: CustomerProfileValidator.MinCreditScore, max: CustomerProfileValidator.MaxCreditScore),
                MaxDebtToIncome = map.Decimal("maxDebtToIncome", required: false, min: 0.01m, max: 1m),
                MinPaymentHistory = map.Int("minPaymentHistory", required: false, min: 0, max: 12),
                CheckIncomeStability = map.Bool("checkIncomeStability", required: false),
                CheckEmploymentStatus = map.Bool("checkEmploymentStatus", required: false),
                MinMonthsEmployed = map.Int("minMonthsEmployed", required: false, min: 0, max: 120),
                MinLoanAmount = map.Decimal("minLoanAmount", required: false, min: 100m, max: MaxLoanAmountLimit),
                // Design rule: a customer offered within 90 days is never offered again, so the window cannot shrink.
                WindowDays = map.Int("windowDays", required: false, min: EligibilityFilter.DefaultWindowDays, max: 3650),
                CheckStateLaws = map.Bool("checkStateLaws", required: false),
                CheckFederalCompliance = map.Bool("checkFederalCompliance", required: false),
                ExcludedStates = map.Sequence("excludedStates", (item, itemPath) =>
                {
                    var state = ScalarString(item, itemPath);
                    if (state is not null && !UsStates.Codes.Contains(state))
                    {
                        Error(itemPath, $"'{state}' is not a US state code");
                    }

                    return state;
                }, required: false)?.Select(s => s!).ToArray(),
            };
            return parameters;
        }

        private void CheckFilterChain(IReadOnlyList<FilterDefinition?>? filters)
        {
            if (filters is null)
            {
                return;
            }

            CheckUnique(filters, f => f?.FilterId, "filterChain", "filterId");
            CheckUnique(filters, f => f?.Order.ToString(CultureInfo.InvariantCulture), "filterChain", "order");
            CheckUnique(filters, f => f is null ? null : FilterKinds.Resolve(f.Type, f.FilterId)?.ToString(), "filterChain", "type");
            if (filters.All(f => f is not null) && !filters.Any(f => FilterKinds.Resolve(f!.Type, f.FilterId) == FilterKind.Eligibility))
            {
                Error("filterChain", "an eligibility filter is required: opt-outs and the 90-day window are never waived");
            }
        }

        private ChannelConfig? BindChannel(ConfigNode node, string path)
        {
            var map = Map(node, path);
            if (map is null)
            {
                return null;
            }

            var id = map.String("channelId");
            var type = map.String("type");
            if (type is not null && !ChannelTypes.All.Contains(type))
            {
                Error($"{path}.type", $"'{type}' is not a known channel type ({string.Join(", ", ChannelTypes.All)})");
            }

            var enabled = map.Bool("enabled");
            var priority = map.Int("priority", min: 1);
            var config = map.Object("config", StringDictionary, required: false) ?? new Dictionary<string, string>();
            map.RejectUnknownKeys();
            CheckChannelConfig(type, config, $"{path}.config");
            return id is null || type is null || enabled is null || priority is null ? null : new ChannelConfig(id, type, enabled.Value, priority.Value, config);
        }

        /// <summary>The keys the engine reads from a channel's config must parse; other keys are kept as written.</summary>
        private void CheckChannelConfig(string? type, IReadOnlyDictionary<string, string> config, string path)
        {
            if (config.TryGetValue("sendTime", out var sendTime) && !TimeOnly.TryParseExact(sendTime, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                Error($"{path}.sendTime", $"'{sendTime}' is not a time of day as HH:mm (e.g. 10:00)");
            }

            if (config.TryGetValue("excellentCreditOnly", out var only) && !bool.TryParse(only, out _))
            {
                Error($"{path}.excellentCreditOnly", "must be true or false");
            }

            if (config.TryGetValue("displayDuration", out var days) && !(int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 1 and <= 366))
            {
                Error($"{path}.displayDuration", "must be a whole number of days from 1 to 366");
            }

            if (type == ChannelTypes.Sms)
            {
                if (config.GetValueOrDefault("message") is not { Length: > 0 } message)
                {
                    Error($"{path}.message", "an SMS channel needs its message text");
                }
                else if (message.Length > SmsText.MaxTemplateLength)
                {
                    Error($"{path}.message", $"is {message.Length} characters; an SMS template has at most {SmsText.MaxTemplateLength}");
                }
            }
        }

        private LoanOfferStrategy? BindStrategy(ConfigNode node, string path)
        {
            var map = Map(node, path);
            if (map is null)
            {
                return null;
            }

            var enabled = map.Bool("enabled");
            var segmented = map.Bool("segmentedOffers");
            var segments = map.Sequence("segments", BindSegment, nonEmpty: true);
            map.RejectUnknownKeys();
            if (enabled is null || segmented is null || segments is null || segments.Any(s => s is null))
            {
                return null;
            }

            CheckUnique(segments, s => s!.CreditTier, $"{path}.segments", "creditTier");
            for (var i = 0; i < segments.Count; i++)
            {
                var earlier = segments.Take(i).FirstOrDefault(s => s!.MinCreditScore <= segments[i]!.MaxCreditScore && segments[i]!.MinCreditScore <= s.MaxCreditScore);
                if (earlier is not null)
                {
                    Error($"{path}.segments[{i}].creditScoreRange",
                        $"[{segments[i]!.MinCreditScore}, {segments[i]!.MaxCreditScore}] overlaps segment '{earlier.CreditTier}' [{earlier.MinCreditScore}, {earlier.MaxCreditScore}]");
                }
            }

            return new LoanOfferStrategy(enabled.Value, segmented.Value, [.. segments.Select(s => s!)]);
        }

        private OfferSegment? BindSegment(ConfigNode node, string path)
        {
            var map = Map(node, path);
            if (map is null)
            {
                return null;
            }

            var tier = map.String("creditTier");
            var range = map.Sequence("creditScoreRange", (item, itemPath) => IntValue(item, itemPath, CustomerProfileValidator.MinCreditScore, CustomerProfileValidator.MaxCreditScore));
            var maxAmount = map.Decimal("maxLoanAmount", min: 100m, max: MaxLoanAmountLimit);
            var rate = map.Decimal("interestRate", min: 0m, max: MaxInterestRatePercent, minExclusive: true);
            var term = map.Int("term", min: MinTermMonths, max: MaxTermMonths);
            map.RejectUnknownKeys();

            if (range is not null && range.Count != 2)
            {
                Error($"{path}.creditScoreRange", $"must be [min, max], found {range.Count} value(s)");
                return null;
            }

            if (range is [{ } min, { } max] && min > max)
            {
                Error($"{path}.creditScoreRange", $"is inverted: min {min} is above max {max}");
                return null;
            }

            return tier is null || range is not [{ } low, { } high] || maxAmount is null || rate is null || term is null
                ? null
                : new OfferSegment(tier, low, high, maxAmount.Value, rate.Value, term.Value);
        }

        private RegulatoryCompliance? BindCompliance(ConfigNode node, string path)
        {
            var map = Map(node, path);
            if (map is null)
            {
                return null;
            }

            var compliance = new RegulatoryCompliance(
                map.Bool("enabled") ?? false,
                map.Bool("truthInLending", required: false) ?? false,
                map.Bool("fairLending", required: false) ?? false,
                map.Bool("equalCreditOpportunity", required: false) ?? false,
                [.. (map.Sequence("disclosures", BindDisclosure, required: false) ?? []).OfType<Disclosure>()]);
            map.RejectUnknownKeys();
            return compliance;
        }

        private Disclosure? BindDisclosure(ConfigNode node, string path)
        {
            var map = Map(node, path);
            if (map is null)
            {
                return null;
            }

            var type = map.String("type");
            var required = map.Bool("required");
            map.RejectUnknownKeys();
            return type is null || required is null ? null : new Disclosure(type, required.Value);
        }

        private IReadOnlyDictionary<string, string>? StringDictionary(ConfigNode node, string path)
        {
            var map = Map(node, path);
            if (map is null)
            {
                return null;
            }

            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var key in map.Keys)
            {
                if (map.String(key, required: false) is { } value)
                {
                    result[key] = value;
                }
            }

            return result;
        }

        private void CheckUnique<T>(IReadOnlyList<T>? items, Func<T, string?> key, string path, string field)
        {
            if (items is null)
            {
                return;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < items.Count; i++)
            {
                if (key(items[i]) is { } value && !seen.Add(value))
                {
                    Error($"{path}[{i}].{field}", $"'{value}' is used more than once");
                }
            }
        }

        private void Error(string path, string message) => errors.Add(new ConfigError(path, message));

        private MapReader? Map(ConfigNode node, string path)
        {
            if (node.Kind != ConfigNodeKind.Mapping)
            {
                Error(path, "must be a mapping");
                return null;
            }

            var duplicates = node.Entries.GroupBy(e => e.Key).Where(g => g.Count() > 1);
            foreach (var duplicate in duplicates)
            {
                Error(Join(path, duplicate.Key), "appears more than once");
            }

            return new MapReader(this, node, path);
        }

        private string? ScalarString(ConfigNode node, string path)
        {
            if (node.Kind == ConfigNodeKind.Scalar)
            {
                return node.Scalar;
            }

            Error(path, "must be a single value");
            return null;
        }

        private int? IntValue(ConfigNode node, string path, int min, int max)
        {
            var text = ScalarString(node, path);
            if (text is null)
            {
                return null;
            }

            if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                Error(path, $"'{text}' must be a whole number");
                return null;
            }

            if (value < min || value > max)
            {
                Error(path, $"{value} must be between {min} and {max}");
                return null;
            }

            return value;
        }

        private static string Join(string path, string key) => path == "$" ? key : $"{path}.{key}";

        private sealed class MapReader(ProgramBinder binder, ConfigNode node, string path)
        {
            private readonly Dictionary<string, ConfigNode> _entries = node.Entries.GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.First().Value);
            private readonly HashSet<string> _read = [];

            public IEnumerable<string> Keys => _entries.Keys;

            public string? String(string key, bool required = true)
            {
                var value = Get(key, required);
                if (value is null)
                {
                    return null;
                }

                var text = binder.ScalarString(value, Join(path, key));
                if (text is not null && required && string.IsNullOrWhiteSpace(text))
                {
                    binder.Error(Join(path, key), "must not be empty");
                    return null;
                }

                return text;
            }

            public int? Int(string key, bool required = true, int min = int.MinValue, int max = int.MaxValue)
            {
                var value = Get(key, required);
                return value is null ? null : binder.IntValue(value, Join(path, key), min, max);
            }

            public decimal? Decimal(string key, bool required = true, decimal min = decimal.MinValue, decimal max = decimal.MaxValue, bool minExclusive = false)
            {
                var value = Get(key, required);
                var text = value is null ? null : binder.ScalarString(value, Join(path, key));
                if (text is null)
                {
                    return null;
                }

                if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
                {
                    binder.Error(Join(path, key), $"'{text}' must be a number");
                    return null;
                }

                if (number < min || number > max || (minExclusive && number == min))
                {
                    binder.Error(Join(path, key), $"{number.ToString(CultureInfo.InvariantCulture)} must be {(minExclusive ? "above" : "at least")} {min.ToString(CultureInfo.InvariantCulture)} and at most {max.ToString(CultureInfo.InvariantCulture)}");
                    return null;
                }

                return number;
            }

            public bool? Bool(string key, bool required = true)
            {
                var value = Get(key, required);
                var text = value is null ? null : binder.ScalarString(value, Join(path, key));
                switch (text?.ToLowerInvariant())
                {
                    case null:
                        return null;
                    case "true":
                        return true;
                    case "false":
                        return false;
                    default:
                        binder.Error(Join(path, key), $"'{text}' must be true or false");
                        return null;
                }
            }

            public IReadOnlyList<T?>? Sequence<T>(string key, Func<ConfigNode, string, T?> bindItem, bool required = true, bool nonEmpty = false)
            {
                var value = Get(key, required);
                if (value is null)
                {
                    return null;
                }

                var itemPath = Join(path, key);
                if (value.Kind != ConfigNodeKind.Sequence)
                {
                    binder.Error(itemPath, "must be a list");
                    return null;
                }

                if (nonEmpty && value.Items.Count == 0)
                {
                    binder.Error(itemPath, "must not be empty");
                }

                return [.. value.Items.Select((item, i) => bindItem(item, $"{itemPath}[{i}]"))];
            }

            public T? Object<T>(string key, Func<ConfigNode, string, T?> bind, bool required = true)
                where T : class
            {
                var value = Get(key, required);
                return value is null ? null : bind(value, Join(path, key));
            }

            public void RejectUnknownKeys()
            {
                foreach (var key in _entries.Keys.Where(k => !_read.Contains(k)))
                {
                    binder.Error(Join(path, key), "is not a known setting");
                }
            }

            private ConfigNode? Get(string key, bool required)
            {
                _read.Add(key);
                if (_entries.TryGetValue(key, out var value) && value.Kind != ConfigNodeKind.Null)
                {
                    return value;
                }

                if (required)
                {
                    binder.Error(Join(path, key), "is required");
                }

                return null;
            }
        }
    }
}
