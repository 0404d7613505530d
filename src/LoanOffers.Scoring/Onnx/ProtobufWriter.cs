using System.Buffers.Binary;
using System.Text;

namespace LoanOffers.Scoring.Onnx;

/// <summary>
/// The few protobuf wire-format encodings an ONNX <c>ModelProto</c> needs: varints, fixed32 floats, length-delimited
/// strings, bytes, nested messages and packed repeated scalars. Written by hand because an ONNX file is the only
/// protobuf the engine produces, and a schema compiler for five messages would be more machinery than the encoding.
/// </summary>
internal sealed class ProtobufWriter
{
    private const int VarintWire = 0;
    private const int LengthDelimitedWire = 2;
    private const int Fixed32Wire = 5;

    private readonly MemoryStream _buffer = new();

    public void Int64(int field, long value)
    {
        Tag(field, VarintWire);
        // Negative values take ten bytes, two's complement, as protobuf's int64 does.
        Varint((ulong)value);
    }

    public void Float(int field, float value)
    {
        Tag(field, Fixed32Wire);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _buffer.Write(bytes);
    }

    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, LengthDelimitedWire);
        Varint((ulong)value.Length);
        _buffer.Write(value);
    }

    public void Message(int field, Action<ProtobufWriter> writeBody)
    {
        var body = new ProtobufWriter();
        writeBody(body);
        Bytes(field, body.ToArray());
    }

    public void PackedFloats(int field, IReadOnlyList<float> values)
    {
        var bytes = new byte[values.Count * 4];
        for (var i = 0; i < values.Count; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        Bytes(field, bytes);
    }

    public void PackedInt64s(int field, IReadOnlyList<long> values)
    {
        var packed = new ProtobufWriter();
        foreach (var value in values)
        {
            packed.Varint((ulong)value);
        }

        Bytes(field, packed.ToArray());
    }

    public byte[] ToArray() => _buffer.ToArray();

    private void Tag(int field, int wireType) => Varint((ulong)((field << 3) | wireType));

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        _buffer.WriteByte((byte)value);
    }
}
