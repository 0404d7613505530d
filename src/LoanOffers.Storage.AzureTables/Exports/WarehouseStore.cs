using System.Globalization;
using System.Text.Json;
using Azure.Storage.Blobs;
using Parquet.Serialization;

namespace LoanOffers.Storage.AzureTables;

/// <summary>What one week's export wrote: every file with its dataset, program and rows, and the schema version.</summary>
public sealed record WarehouseManifest(DateOnly Week, DateTimeOffset ExportedAt, int SchemaVersion, IReadOnlyList<WarehouseFile> Files);

public sealed record WarehouseFile(string Path, string Dataset, string ProgramId, int Rows);

/// <summary>
/// The warehouse export's blobs: Parquet files partitioned by dataset, program and week
/// (<c>candidates/program=…/date=yyyy-MM-dd/part-0.parquet</c>) and a manifest per week
/// (<c>manifests/date=yyyy-MM-dd.json</c>), written last. An export of the same week again replaces the same blobs.
/// </summary>
public sealed class WarehouseStore(BlobServiceClient service, string containerName)
{
    /// <summary>Raised when a dataset's columns change, so a warehouse loader knows what it reads.</summary>
    public const int SchemaVersion = 1;

    private readonly BlobContainerClient _container = service.GetBlobContainerClient(containerName);
    private bool _created;

    public string ContainerName => _container.Name;

    public async Task<WarehouseFile> WriteAsync<T>(string dataset, string programId, DateOnly week, IReadOnlyList<T> rows, CancellationToken cancellationToken)
        where T : new()
    {
        await EnsureContainerAsync(cancellationToken);
        var path = $"{dataset}/program={programId}/date={Date(week)}/part-0.parquet";
        using var parquet = new MemoryStream();
        await ParquetSerializer.SerializeAsync(rows, parquet, cancellationToken: cancellationToken);
        parquet.Position = 0;
        await _container.GetBlobClient(path).UploadAsync(parquet, overwrite: true, cancellationToken);
        return new WarehouseFile(path, dataset, programId, rows.Count);
    }

    public async Task WriteManifestAsync(WarehouseManifest manifest, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken);
        await _container.GetBlobClient(ManifestPath(manifest.Week)).UploadAsync(BinaryData.FromObjectAsJson(manifest, Json), overwrite: true, cancellationToken);
    }

    /// <summary>The manifest of the week that starts on <paramref name="week"/>; null when it was never exported.</summary>
    public async Task<WarehouseManifest?> ManifestAsync(DateOnly week, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(ManifestPath(week));
        if (!(await _container.ExistsAsync(cancellationToken)).Value || !(await blob.ExistsAsync(cancellationToken)).Value)
        {
            return null;
        }

        return (await blob.DownloadContentAsync(cancellationToken)).Value.Content.ToObjectFromJson<WarehouseManifest>(Json);
    }

    /// <summary>The Monday that begins the week <paramref name="day"/> is in: the week's date in every path.</summary>
    public static DateOnly WeekOf(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (!_created)
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            _created = true;
        }
    }

    private static string ManifestPath(DateOnly week) => $"manifests/date={Date(week)}.json";

    private static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
