namespace LoanOffers.Scoring.Training;

/// <summary>One decile of held-out rows ranked by predicted probability: what the model said and what happened.</summary>
public sealed record CalibrationBin(int Decile, int Rows, double MeanPredicted, double ObservedRate);

/// <summary>Held-out quality of a probability model.</summary>
public sealed record ModelMetrics(int Rows, double PositiveRate, double Auc, double Brier, double LogLoss, IReadOnlyList<CalibrationBin> CalibrationByDecile);

public static class ModelEvaluation
{
    public static ModelMetrics Evaluate(IReadOnlyList<double> predicted, IReadOnlyList<bool> labels)
    {
        if (predicted.Count != labels.Count || labels.Count == 0)
        {
            throw new ArgumentException("Evaluation needs one prediction per label and at least one row.");
        }

        double brier = 0, logLoss = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            var p = predicted[i];
            var y = labels[i] ? 1.0 : 0.0;
            brier += (p - y) * (p - y);
            var clamped = Math.Clamp(p, 1e-15, 1 - 1e-15);
            logLoss -= y * Math.Log(clamped) + (1 - y) * Math.Log(1 - clamped);
        }

        return new ModelMetrics(
            labels.Count,
            labels.Count(l => l) / (double)labels.Count,
            Auc(predicted, labels),
            brier / labels.Count,
            logLoss / labels.Count,
            Calibration(predicted, labels));
    }

    /// <summary>Area under the ROC curve: the chance a random positive outranks a random negative, ties counting half (rank-sum form).</summary>
    public static double Auc(IReadOnlyList<double> predicted, IReadOnlyList<bool> labels)
    {
        var order = Enumerable.Range(0, predicted.Count).OrderBy(i => predicted[i]).ToArray();
        double positiveRankSum = 0;
        long positives = 0;
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && predicted[order[end + 1]] == predicted[order[start]])
            {
                end++;
            }

            var averageRank = (start + end) / 2.0 + 1;
            for (var k = start; k <= end; k++)
            {
                if (labels[order[k]])
                {
                    positiveRankSum += averageRank;
                    positives++;
                }
            }

            start = end + 1;
        }

        var negatives = order.Length - positives;
        return positives == 0 || negatives == 0
            ? double.NaN
            : (positiveRankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    private static List<CalibrationBin> Calibration(IReadOnlyList<double> predicted, IReadOnlyList<bool> labels)
    {
        var order = Enumerable.Range(0, predicted.Count).OrderBy(i => predicted[i]).ToArray();
        var bins = new List<CalibrationBin>();
        for (var decile = 0; decile < 10; decile++)
        {
            var from = order.Length * decile / 10;
            var to = order.Length * (decile + 1) / 10;
            if (to > from)
            {
                var rows = order[from..to];
                bins.Add(new CalibrationBin(decile + 1, rows.Length, rows.Average(i => predicted[i]), rows.Average(i => labels[i] ? 1.0 : 0.0)));
            }
        }

        return bins;
    }
}
