using LoanOffers.Scoring.Models;
using LoanOffers.Scoring.Training;

namespace LoanOffers.Scoring.Tests;

public class TrainingInputTests
{
    private const string Header = "customer_id,credit_score,income,debt_to_income,payment_history,approved,notes\n";

    [Fact]
    public void Bad_rows_are_reported_with_their_line_numbers_and_the_rest_are_read()
    {
        var csv = Header
            + "C1,720,85000,0.28,12,1,fine\n"
            + "C2,,85000,0.28,12,0,missing score\n"
            + "C3,700,lots,0.28,12,1,text income\n"
            + "C4,700,50000,NaN,12,0,not finite\n"
            + "C5,690,50000,0.3,11,maybe,bad label\n"
            + "C6,810,150000,0.1,12,true,fine\n";

        var result = TrainingCsv.Read(new StringReader(csv), "approved", ["credit_score", "income", "debt_to_income", "payment_history"]);

        Assert.Null(result.FatalError);
        Assert.Equal(2, result.Data!.Rows);
        Assert.Equal(["C1", "C6"], result.Data.RowKeys);
        Assert.Equal(["credit_score", "income", "debt_to_income", "payment_history"], result.Data.Features);
        Assert.Equal([3, 4, 5, 6], result.BadRows.Select(b => b.LineNumber));
        Assert.Contains("credit_score (column 2) is missing", result.BadRows[0].Reason);
        Assert.Contains("income (column 3) is not a finite number", result.BadRows[1].Reason);
        Assert.Contains("debt_to_income (column 4) is not a finite number", result.BadRows[2].Reason);
        Assert.Contains("approved (column 6) is not 0/1", result.BadRows[3].Reason);
        Assert.DoesNotContain(result.BadRows, row => row.Reason.Contains("lots") || row.Reason.Contains("NaN") || row.Reason.Contains("maybe"));

        var refused = Assert.Throws<InvalidDataException>(() => result.Usable());
        Assert.Contains("line 4: income (column 3)", refused.Message);
    }

    [Theory]
    [InlineData("approved", "savings_rate", "missing feature column(s): savings_rate")]
    [InlineData("approved", "credit score", "'credit score' are not usable in a program")]
    [InlineData("defaulted", null, "label column 'defaulted' is not in the header")]
    public void Unusable_files_stop_with_one_clear_error(string label, string? features, string error)
    {
        var result = TrainingCsv.Read(new StringReader(Header + "C1,720,85000,0.28,12,1,x\n"), label, features?.Split(','));
        Assert.Null(result.Data);
        Assert.Contains(error, result.FatalError);
    }

    [Fact]
    public async Task Train_command_refuses_a_bad_file_and_prints_the_lines()
    {
        using var scratch = new ScratchFolder();
        var folder = scratch.Path;
        var input = Path.Combine(folder, "bad.csv");
        await File.WriteAllTextAsync(input, Header + "C1,720,85000,0.28,12,1,x\nC2,720,,0.28,12,1,x\n");
        var output = new StringWriter();

        var exit = await TrainingCommand.RunAsync(
            ["train", "--input", input, "--label", "approved", "--role", "approval", "--features", "credit_score,income", "--output", Path.Combine(folder, "model")], output);

        Assert.Equal(1, exit);
        Assert.Contains("line 3: income (column 3) is missing", output.ToString());
        Assert.False(File.Exists(Path.Combine(folder, "model", ModelStore.OnnxFileName)));
    }

    [Fact]
    public async Task Generate_history_then_train_writes_a_model_and_card_that_load()
    {
        using var scratch = new ScratchFolder();
        var folder = scratch.Path;
        var history = Path.Combine(folder, "history.csv");
        var output = new StringWriter();
        Assert.Equal(0, await TrainingCommand.RunAsync(["generate-history", "--rows", "3000", "--seed", "5", "--output", history], output));

        var modelFolder = Path.Combine(folder, "default-risk-v3", "1");
        var exit = await TrainingCommand.RunAsync(
            ["train", "--input", history, "--label", "defaulted", "--features", "account_age,deposit_balance,transaction_patterns,savings_rate",
             "--role", "default-risk", "--output", modelFolder, "--model-id", "default-risk-v3", "--trees", "20"], output);

        Assert.True(exit == 0, output.ToString());
        Assert.Contains("held-out AUC", output.ToString());
        Assert.Contains("ground truth on the same rows", output.ToString());
        using var model = OnnxCreditModel.Load(modelFolder);
        Assert.Equal(SyntheticHistory.DefaultFeatures, model.Features);
        Assert.Equal(3000, model.Card!.TrainingRows + model.Card.HeldOutRows);
        Assert.StartsWith("sha256:", model.Card.DataHash);
    }

    [Fact]
    public void Auc_counts_ties_as_half()
    {
        Assert.Equal(1.0, ModelEvaluation.Auc([0.1, 0.9], [false, true]));
        Assert.Equal(0.5, ModelEvaluation.Auc([0.5, 0.5], [false, true]));
        Assert.Equal(0.75, ModelEvaluation.Auc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]));
    }
}
