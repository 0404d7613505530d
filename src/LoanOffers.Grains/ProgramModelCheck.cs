using LoanOffers.Domain;
using LoanOffers.Scoring;

namespace LoanOffers.Grains;

/// <summary>
/// A program's models against the registry and the program's connector, before the program is saved or a model it
/// uses changes: each model is there; a role the program names matches the model's card; the program has exactly one
/// approval model and at most one default-risk model; the features the program lists for a model are the ones its
/// card takes; the connector supplies every one of them, so nothing is taken as zero at scoring time; and a challenger
/// is a served model of its champion's role whose features the connector supplies. Each error is named by its path
/// in the program document.
/// </summary>
public sealed class ProgramModelCheck(ICreditModelRegistry models, CustomerSource source)
{
    /// <summary>The models served now.</summary>
    public ICreditModelRegistry Models => models;

    public IReadOnlyList<ConfigError> Check(ProgramConfig program) => Check(program, models.Find);

    /// <summary>
    /// As <see cref="Check(ProgramConfig)"/>, with <paramref name="modelOf"/> standing for the registry's
    /// <see cref="ICreditModelRegistry.Find"/> (a model about to change).
    /// </summary>
    public IReadOnlyList<ConfigError> Check(ProgramConfig program, Func<string, ICreditModel?> modelOf)
    {
        var errors = new List<ConfigError>();
        var (columns, connectorProblem) = ConnectorColumns(program);
        var roles = new List<string>();
        for (var i = 0; i < program.ScoringModels.Count; i++)
        {
            var configured = program.ScoringModels[i];
            var path = $"scoringModels[{i}]";
            if (modelOf(configured.ModelId) is not { } model)
            {
                errors.Add(new ConfigError($"{path}.modelId", $"no model '{configured.ModelId}' is registered"));
                continue;
            }

            roles.Add(model.Role);
            if (configured.Role is { } role && role != model.Role)
            {
                errors.Add(new ConfigError($"{path}.role", $"'{role}' does not match model '{model.ModelId}', whose card says '{model.Role}'"));
            }

            if (!configured.Features.ToHashSet(StringComparer.Ordinal).SetEquals(model.Features))
            {
                errors.Add(new ConfigError($"{path}.features",
                    $"model '{model.ModelId}' version {model.Version} takes [{string.Join(", ", model.Features)}], not [{string.Join(", ", configured.Features)}]"));
            }

            if (Unsupplied(model, columns, connectorProblem) is { } missing)
            {
                errors.Add(new ConfigError($"{path}.features", missing));
            }

            if (configured.Challenger is { } challengerId)
            {
                CheckChallenger(errors, $"{path}.challenger", model, challengerId, modelOf, columns, connectorProblem);
            }
        }

        var approvals = roles.Count(role => role == ModelRoles.Approval);
        var risks = roles.Count(role => role == ModelRoles.DefaultRisk);
        if (roles.Count == program.ScoringModels.Count && approvals != 1)
        {
            errors.Add(new ConfigError("scoringModels", $"a program needs exactly one {ModelRoles.Approval} model; this one has {approvals}"));
        }

        if (risks > 1)
        {
            errors.Add(new ConfigError("scoringModels", $"a program may have at most one {ModelRoles.DefaultRisk} model; this one has {risks}"));
        }

        return errors;
    }

    /// <summary>A challenger is a served model of its champion's role whose features the connector supplies too.</summary>
    private static void CheckChallenger(
        List<ConfigError> errors, string path, ICreditModel champion, string challengerId, Func<string, ICreditModel?> modelOf, FeatureSchema? columns, string? connectorProblem)
    {
        if (modelOf(challengerId) is not { } challenger)
        {
            errors.Add(new ConfigError(path, $"no model '{challengerId}' is registered"));
            return;
        }

        if (challenger.Role != champion.Role)
        {
            errors.Add(new ConfigError(path, $"model '{challengerId}' predicts '{challenger.Role}', not '{champion.Role}' as '{champion.ModelId}' does"));
        }

        if (Unsupplied(challenger, columns, connectorProblem) is { } missing)
        {
            errors.Add(new ConfigError(path, missing));
        }
    }

    private static string? Unsupplied(ICreditModel model, FeatureSchema? columns, string? connectorProblem) =>
        ModelFeatures.Unsupplied(model.Features, columns) is not { Count: > 0 } unsupplied
            ? null
            : connectorProblem is not null
                ? $"model '{model.ModelId}' needs the connector's own columns {string.Join(", ", unsupplied)}, and the connector could not be read: {connectorProblem}"
                : $"model '{model.ModelId}' needs {string.Join(", ", unsupplied)}, which the connector does not supply (it has the core fields{(columns is null ? string.Empty : " and " + string.Join(", ", columns.Names))})";

    private (FeatureSchema? Columns, string? Problem) ConnectorColumns(ProgramConfig program)
    {
        try
        {
            return (source.ExtraColumns(program), null);
        }
        catch (Exception failure) when (failure is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return (null, failure.Message);
        }
    }
}
