using System.Text;
using Azure.Data.Tables;

namespace LoanOffers.Storage.AzureTables;

/// <summary>How a stored state sits in a row: its bytes in binary properties of at most 64 KiB, its size, its key id.</summary>
public static class StateRows
{
    /// <summary>The stored size of the state, in bytes (after compression and encryption).</summary>
    public const string SizeProperty = "DataSize";

    /// <summary>On an encrypted row: the id of the key it is encrypted under.</summary>
    public const string KeyIdProperty = "KeyId";

    /// <summary>Largest binary property the service accepts.</summary>
    public const int MaxPropertyBytes = 64 * 1024;

    private const string DataPropertyPrefix = "Data";

    public static void SetPayload(TableEntity entity, ReadOnlyMemory<byte> bytes)
    {
        entity[SizeProperty] = bytes.Length;
        var chunk = 0;
        for (var offset = 0; offset < bytes.Length; offset += MaxPropertyBytes, chunk++)
        {
            entity[DataPropertyPrefix + chunk] = bytes.Slice(offset, Math.Min(MaxPropertyBytes, bytes.Length - offset)).ToArray();
        }
    }

    /// <summary>The stored bytes, joined; null when the row holds no state.</summary>
    public static byte[]? GetPayload(TableEntity entity)
    {
        if (entity.GetInt32(SizeProperty) is not int size)
        {
            return null;
        }

        var buffer = new byte[size];
        var offset = 0;
        for (var chunk = 0; offset < size; chunk++)
        {
            var part = entity.GetBinary(DataPropertyPrefix + chunk)
                ?? throw new InvalidOperationException($"Row {entity.PartitionKey}/{entity.RowKey} is missing {DataPropertyPrefix}{chunk} of its {size}-byte state.");
            part.CopyTo(buffer, offset);
            offset += part.Length;
        }

        return buffer;
    }

    /// <summary>
    /// <paramref name="plain"/> sealed under the active key and bound to <paramref name="entity"/>'s keys, with the key id
    /// marked on the row; as it is without encryption. The row's keys must be set first.
    /// </summary>
    public static ReadOnlyMemory<byte> Seal(TableEntity entity, ReadOnlyMemory<byte> plain, StateEncryption? encryption)
    {
        if (encryption is null)
        {
            return plain;
        }

        entity[KeyIdProperty] = encryption.ActiveKeyId;
        return encryption.Encrypt(plain.Span, AssociatedData(entity));
    }

    /// <summary>Bytes <see cref="Seal"/> stored in <paramref name="entity"/>, opened with the key the row names; as they are when it names none.</summary>
    /// <exception cref="StateDecryptionException">The row names a key this engine does not have, or was altered.</exception>
    public static byte[] Open(TableEntity entity, byte[] stored, StateEncryption? encryption) =>
        entity.GetString(KeyIdProperty) is { } keyId
            ? (encryption ?? throw new StateDecryptionException($"Row {entity.PartitionKey}/{entity.RowKey} is encrypted under key '{keyId}', and this engine has no keys."))
                .Decrypt(keyId, stored, AssociatedData(entity))
            : stored;

    /// <summary>What an encrypted state is bound to: its row's keys.</summary>
    public static byte[] AssociatedData(TableEntity entity) => Encoding.UTF8.GetBytes(entity.PartitionKey + "\n" + entity.RowKey);
}
