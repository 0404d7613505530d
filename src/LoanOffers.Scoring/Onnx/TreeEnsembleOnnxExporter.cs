namespace LoanOffers.Scoring.Onnx;

/// <summary>
/// One regression tree in FastTree's layout: internal node <c>i</c> sends a row to <see cref="LeftChild"/>[i] when
/// <c>features[SplitFeature[i]] &lt;= Threshold[i]</c>, else to <see cref="RightChild"/>[i]; a negative child <c>c</c>
/// is the leaf <c>~c</c>. A tree with no internal node is a single leaf.
/// </summary>
public sealed record DecisionTree(int[] SplitFeature, float[] Threshold, int[] LeftChild, int[] RightChild, double[] LeafValues, double Weight);

/// <summary>Score = <see cref="Bias"/> + the weighted sum of the trees' leaf values.</summary>
public sealed record TreeEnsemble(IReadOnlyList<DecisionTree> Trees, double Bias);

/// <summary>ML.NET's Platt calibration: probability = 1 / (1 + exp(Slope * score + Offset)).</summary>
public sealed record PlattCalibration(double Slope, double Offset);

/// <summary>
/// Writes a calibrated tree ensemble as an ONNX model: <c>ai.onnx.ml.TreeEnsembleRegressor</c> (BRANCH_LEQ nodes, so
/// FastTree's <c>&lt;=</c> split holds exactly: both sides compare the same float feature to the same float
/// threshold) followed by <c>Sigmoid(-Slope * score - Offset)</c>, which is Platt's formula rewritten.
/// Input <see cref="InputName"/> is float [N, features]; output <see cref="OutputName"/> is float [N, 1].
/// </summary>
public static class TreeEnsembleOnnxExporter
{
    public const string InputName = "features";
    public const string OutputName = "probability";

    /// <summary>Custom metadata key holding the feature names, comma-separated in input order; the registry checks it against the card.</summary>
    public const string FeaturesMetadataKey = "loanoffers.features";

    // ONNX enums and versions (onnx.proto). IR 8 and opset 17 / ai.onnx.ml 3 are loaded by every ONNX Runtime since 1.12.
    private const long IrVersion = 8;
    private const long OnnxOpset = 17;
    private const long OnnxMlOpset = 3;
    private const int FloatElementType = 1;
    private const int AttributeFloats = 6;
    private const int AttributeInts = 7;
    private const int AttributeString = 3;
    private const int AttributeStrings = 8;
    private const int AttributeInt = 2;

    public static byte[] Export(TreeEnsemble ensemble, PlattCalibration calibration, IReadOnlyList<string> features, string modelId, string version)
    {
        var model = new ProtobufWriter();
        model.Int64(1, IrVersion);
        model.String(2, "LoanOffers.Scoring");
        model.String(3, typeof(TreeEnsembleOnnxExporter).Assembly.GetName().Version?.ToString() ?? "0");
        model.String(4, "loanoffers.credit");
        model.String(6, $"{modelId} {version}: FastTree ensemble of {ensemble.Trees.Count} trees with Platt calibration.");
        model.Message(7, graph => WriteGraph(graph, ensemble, calibration, features.Count, modelId));
        model.Message(8, opset => { opset.String(1, ""); opset.Int64(2, OnnxOpset); });
        model.Message(8, opset => { opset.String(1, "ai.onnx.ml"); opset.Int64(2, OnnxMlOpset); });
        model.Message(14, entry => { entry.String(1, FeaturesMetadataKey); entry.String(2, string.Join(',', features)); });
        model.Message(14, entry => { entry.String(1, "loanoffers.model_id"); entry.String(2, modelId); });
        model.Message(14, entry => { entry.String(1, "loanoffers.version"); entry.String(2, version); });
        return model.ToArray();
    }

    private static void WriteGraph(ProtobufWriter graph, TreeEnsemble ensemble, PlattCalibration calibration, int featureCount, string modelId)
    {
        graph.Message(1, node => WriteTreeEnsembleNode(node, ensemble));
        graph.Message(1, node => WriteNode(node, "Mul", "platt_scale", ["score", "platt_a"], "scaled"));
        graph.Message(1, node => WriteNode(node, "Add", "platt_shift", ["scaled", "platt_b"], "logit"));
        graph.Message(1, node => WriteNode(node, "Sigmoid", "sigmoid", ["logit"], OutputName));
        graph.String(2, modelId);
        graph.Message(5, tensor => WriteScalar(tensor, "platt_a", (float)-calibration.Slope));
        graph.Message(5, tensor => WriteScalar(tensor, "platt_b", (float)-calibration.Offset));
        graph.Message(11, value => WriteFloatMatrix(value, InputName, featureCount));
        graph.Message(12, value => WriteFloatMatrix(value, OutputName, 1));
    }

    private static void WriteTreeEnsembleNode(ProtobufWriter node, TreeEnsemble ensemble)
    {
        var treeIds = new List<long>();
        var nodeIds = new List<long>();
        var featureIds = new List<long>();
        var modes = new List<string>();
        var values = new List<float>();
        var trueIds = new List<long>();
        var falseIds = new List<long>();
        var leafTreeIds = new List<long>();
        var leafNodeIds = new List<long>();
        var leafWeights = new List<float>();

        for (var treeId = 0; treeId < ensemble.Trees.Count; treeId++)
        {
            var tree = ensemble.Trees[treeId];
            var internalNodes = tree.SplitFeature.Length;

            // Internal nodes keep their ids; leaf k becomes node internalNodes + k.
            long NodeId(int child) => child < 0 ? internalNodes + ~child : child;

            for (var i = 0; i < internalNodes; i++)
            {
                treeIds.Add(treeId);
                nodeIds.Add(i);
                featureIds.Add(tree.SplitFeature[i]);
                modes.Add("BRANCH_LEQ");
                values.Add(tree.Threshold[i]);
                trueIds.Add(NodeId(tree.LeftChild[i]));
                falseIds.Add(NodeId(tree.RightChild[i]));
            }

            for (var leaf = 0; leaf < tree.LeafValues.Length; leaf++)
            {
                treeIds.Add(treeId);
                nodeIds.Add(internalNodes + leaf);
                featureIds.Add(0);
                modes.Add("LEAF");
                values.Add(0);
                trueIds.Add(0);
                falseIds.Add(0);
                leafTreeIds.Add(treeId);
                leafNodeIds.Add(internalNodes + leaf);
                leafWeights.Add((float)(tree.LeafValues[leaf] * tree.Weight));
            }
        }

        node.String(1, InputName);
        node.String(2, "score");
        node.String(3, "tree_ensemble");
        node.String(4, "TreeEnsembleRegressor");
        node.String(7, "ai.onnx.ml");
        StringAttribute(node, "aggregate_function", "SUM");
        FloatsAttribute(node, "base_values", [(float)ensemble.Bias]);
        IntAttribute(node, "n_targets", 1);
        IntsAttribute(node, "nodes_falsenodeids", falseIds);
        IntsAttribute(node, "nodes_featureids", featureIds);
        StringsAttribute(node, "nodes_modes", modes);
        IntsAttribute(node, "nodes_nodeids", nodeIds);
        IntsAttribute(node, "nodes_treeids", treeIds);
        IntsAttribute(node, "nodes_truenodeids", trueIds);
        FloatsAttribute(node, "nodes_values", values);
        StringAttribute(node, "post_transform", "NONE");
        IntsAttribute(node, "target_ids", [.. leafTreeIds.Select(_ => 0L)]);
        IntsAttribute(node, "target_nodeids", leafNodeIds);
        IntsAttribute(node, "target_treeids", leafTreeIds);
        FloatsAttribute(node, "target_weights", leafWeights);
    }

    private static void WriteNode(ProtobufWriter node, string opType, string name, string[] inputs, string output)
    {
        foreach (var input in inputs)
        {
            node.String(1, input);
        }

        node.String(2, output);
        node.String(3, name);
        node.String(4, opType);
    }

    private static void WriteScalar(ProtobufWriter tensor, string name, float value)
    {
        tensor.Int64(2, FloatElementType);
        tensor.PackedFloats(4, [value]);
        tensor.String(8, name);
    }

    // ValueInfoProto { name, type: TypeProto { tensor_type { elem_type: FLOAT, shape [N, columns] } } }
    private static void WriteFloatMatrix(ProtobufWriter value, string name, int columns)
    {
        value.String(1, name);
        value.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Int64(1, FloatElementType);
            tensor.Message(2, shape =>
            {
                shape.Message(1, dim => dim.String(2, "N"));
                shape.Message(1, dim => dim.Int64(1, columns));
            });
        }));
    }

    // AttributeProto: name = 1, f = 2, i = 3, s = 4, floats = 7, ints = 8, strings = 9, type = 20.
    private static void StringAttribute(ProtobufWriter node, string name, string value) => node.Message(5, attribute =>
    {
        attribute.String(1, name);
        attribute.String(4, value);
        attribute.Int64(20, AttributeString);
    });

    private static void IntAttribute(ProtobufWriter node, string name, long value) => node.Message(5, attribute =>
    {
        attribute.String(1, name);
        attribute.Int64(3, value);
        attribute.Int64(20, AttributeInt);
    });

    private static void FloatsAttribute(ProtobufWriter node, string name, IReadOnlyList<float> values) => node.Message(5, attribute =>
    {
        attribute.String(1, name);
        attribute.PackedFloats(7, values);
        attribute.Int64(20, AttributeFloats);
    });

    private static void IntsAttribute(ProtobufWriter node, string name, IReadOnlyList<long> values) => node.Message(5, attribute =>
    {
        attribute.String(1, name);
        attribute.PackedInt64s(8, values);
        attribute.Int64(20, AttributeInts);
    });

    private static void StringsAttribute(ProtobufWriter node, string name, IReadOnlyList<string> values) => node.Message(5, attribute =>
    {
        attribute.String(1, name);
        foreach (var value in values)
        {
            attribute.String(9, value);
        }

        attribute.Int64(20, AttributeStrings);
    });
}
