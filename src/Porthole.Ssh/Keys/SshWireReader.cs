using System.Buffers.Binary;

namespace Porthole.Ssh.Keys;

/// <summary>Reads the SSH wire encoding of a public key blob (RFC 4251 §5): uint32-length-prefixed strings.</summary>
internal ref struct SshWireReader(ReadOnlySpan<byte> data)
{
    private ReadOnlySpan<byte> _rest = data;

    public readonly bool AtEnd => _rest.IsEmpty;

    public bool TryReadString(out ReadOnlySpan<byte> value)
    {
        value = default;
        if (_rest.Length < 4)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(_rest);
        if (length > (uint)(_rest.Length - 4))
        {
            return false;
        }

        value = _rest.Slice(4, (int)length);
        _rest = _rest[(4 + (int)length)..];
        return true;
    }

    public bool TryReadText(out string value)
    {
        value = string.Empty;
        if (!TryReadString(out var bytes) || bytes.Length > 256)
        {
            return false;
        }

        foreach (var b in bytes)
        {
            if (b < 0x20 || b > 0x7e)
            {
                return false;
            }
        }

        value = System.Text.Encoding.ASCII.GetString(bytes);
        return true;
    }
}
