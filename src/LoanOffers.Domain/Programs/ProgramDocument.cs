using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Serialization;

namespace LoanOffers.Domain;

/// <summary>
/// A program as the document <see cref="ProgramConfigParser"/> reads (seed 000's shape, in JSON or YAML), so what the
/// API returns is exactly what it accepts back: <c>creditScoreRange</c> and <c>term</c> rather than the typed record's
/// fields, only the filter parameters that are set, channel and connector settings as written.
/// </summary>
public static class ProgramDocument
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static JsonObject ToJsonNode(ProgramConfig config)
    {
        var document = new JsonObject
        {
            ["programId"] = config.ProgramId,
            ["programName"] = config.ProgramName,
            ["enabled"] = config.Enabled,
            ["version"] = config.Version,
            ["timeZone"] = config.TimeZone,
            ["processingFeePercent"] = config.ProcessingFeePercent,
            ["marketplaces"] = Array(config.Marketplaces.Select(market => (JsonNode?)market)),
            ["dataConnectors"] = Array(config.DataConnectors.Select(connector => (JsonNode?)new JsonObject
            {
                ["connectorId"] = connector.ConnectorId,
                ["type"] = connector.Type,
                ["config"] = Settings(connector.Config),
            })),
            ["scoringModels"] = Array(config.ScoringModels.Select(model => (JsonNode?)Model(model))),
            ["filterChain"] = Array(config.FilterChain.Select(filter => (JsonNode?)new JsonObject
            {
                ["filterId"] = filter.FilterId,
                ["type"] = filter.Type,
                ["order"] = filter.Order,
                ["parameters"] = Parameters(filter.Parameters),
            })),
            ["channels"] = Array(config.Channels.Select(channel => (JsonNode?)new JsonObject
            {
                ["channelId"] = channel.ChannelId,
                ["type"] = channel.Type,
                ["enabled"] = channel.Enabled,
                ["priority"] = channel.Priority,
                ["config"] = Settings(channel.Config),
            })),
            ["loanOfferStrategy"] = new JsonObject
            {
                ["enabled"] = config.LoanOfferStrategy.Enabled,
                ["segmentedOffers"] = config.LoanOfferStrategy.SegmentedOffers,
                ["segments"] = Array(config.LoanOfferStrategy.Segments.Select(segment => (JsonNode?)new JsonObject
                {
                    ["creditTier"] = segment.CreditTier,
                    ["creditScoreRange"] = new JsonArray(segment.MinCreditScore, segment.MaxCreditScore),
                    ["maxLoanAmount"] = segment.MaxLoanAmount,
                    ["interestRate"] = segment.InterestRate,
                    ["term"] = segment.TermMonths,
                })),
            },
        };

        if (config.RegulatoryCompliance is { } compliance)
        {
            document["regulatoryCompliance"] = new JsonObject
            {
                ["enabled"] = compliance.Enabled,
                ["truthInLending"] = compliance.TruthInLending,
                ["fairLending"] = compliance.FairLending,
                ["equalCreditOpportunity"] = compliance.EqualCreditOpportunity,
                ["disclosures"] = Array(compliance.Disclosures.Select(disclosure => (JsonNode?)new JsonObject
                {
                    ["type"] = disclosure.Type,
                    ["required"] = disclosure.Required,
                })),
            };
        }

        document["batchSchedule"] = config.BatchSchedule;
        document["candidateTTLDays"] = config.CandidateTtlDays;
        return document;
    }

    /// <summary>A scoring model as the document has it; the role only when the program names one.</summary>
    private static JsonObject Model(ScoringModelConfig model)
    {
        var node = new JsonObject
        {
            ["modelId"] = model.ModelId,
            ["endpoint"] = model.Endpoint,
            ["features"] = Array(model.Features.Select(feature => (JsonNode?)feature)),
        };
        if (model.Role is { } role)
        {
            node["role"] = role;
        }

        if (model.Challenger is { } challenger)
        {
            node["challenger"] = challenger;
        }

        return node;
    }

    public static string ToJson(ProgramConfig config) => ToJsonNode(config).ToJsonString(Indented);

    /// <summary>The same document as YAML, keys in the same order.</summary>
    public static string ToYaml(ProgramConfig config) =>
        new SerializerBuilder().Build().Serialize(Plain(ToJsonNode(config)));

    private static JsonArray Array(IEnumerable<JsonNode?> items) => [.. items];

    /// <summary>Connector and channel settings, numbers and flags as such so YAML shows <c>displayDuration: 30</c>.</summary>
    private static JsonObject Settings(IReadOnlyDictionary<string, string> settings)
    {
        var node = new JsonObject();
        foreach (var (key, value) in settings)
        {
            node[key] = bool.TryParse(value, out var flag) ? flag
                : decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var number) && number.ToString(CultureInfo.InvariantCulture) == value ? number
                : value;
        }

        return node;
    }

    private static JsonObject Parameters(FilterParameters parameters)
    {
        var node = new JsonObject();
        void Set(string key, JsonNode? value)
        {
            if (value is not null)
            {
                node[key] = value;
            }
        }

        Set("minCreditScore", parameters.MinCreditScore);
        Set("maxDebtToIncome", parameters.MaxDebtToIncome);
        Set("minPaymentHistory", parameters.MinPaymentHistory);
        Set("checkIncomeStability", parameters.CheckIncomeStability);
        Set("checkEmploymentStatus", parameters.CheckEmploymentStatus);
        Set("minMonthsEmployed", parameters.MinMonthsEmployed);
        Set("minLoanAmount", parameters.MinLoanAmount);
        Set("windowDays", parameters.WindowDays);
        Set("checkStateLaws", parameters.CheckStateLaws);
        Set("checkFederalCompliance", parameters.CheckFederalCompliance);
        Set("excludedStates", parameters.ExcludedStates is { } states ? Array(states.Select(state => (JsonNode?)state)) : null);
        return node;
    }

    /// <summary>The document as plain dictionaries, lists and scalars for the YAML serializer.</summary>
    private static object? Plain(JsonNode? node) => node switch
    {
        JsonObject map => map.ToDictionary(pair => pair.Key, pair => Plain(pair.Value)),
        JsonArray list => list.Select(Plain).ToList(),
        JsonValue value when value.TryGetValue<bool>(out var flag) => flag,
        JsonValue value when value.TryGetValue<int>(out var whole) => whole,
        JsonValue value when value.TryGetValue<decimal>(out var number) => number,
        JsonValue value => value.GetValue<string>(),
        _ => null,
    };
}
