using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Porthole.Ssh.Tests.Support;

namespace Porthole.Ssh.Tests.Keys;

/// <summary>Keys made once per test class by the real ssh-keygen, of every type Porthole knows.</summary>
public sealed class GeneratedKeys : IAsyncLifetime
{
    private readonly TempFolder _folder = new("porthole-keys-");

    internal Dictionary<string, ClientKey> ByName { get; } = [];

    public string Folder => _folder.Path;

    public async Task InitializeAsync()
    {
        var made = new (string Name, string Type, int? Bits)[]
        {
            ("ed25519", "ed25519", null),
            ("ecdsa256", "ecdsa", 256),
            ("ecdsa384", "ecdsa", 384),
            ("ecdsa521", "ecdsa", 521),
            ("rsa2048", "rsa", 2048),
            ("rsa3072", "rsa", 3072),
            ("rsa1024", "rsa", 1024),
            ("dsa", "dsa", null),
        };
        var keys = await Task.WhenAll(made.Select(k => ClientKey.CreateAsync(_folder.Path, k.Name, k.Type, k.Bits)));
        for (var i = 0; i < made.Length; i++)
        {
            ByName[made[i].Name] = keys[i];
        }

        // Security-key types cannot be made without a FIDO device; their public form is plain wire data, which
        // ssh-keygen reads (and fingerprints) like any other public key.
        ByName["ed25519-sk"] = await FromPublicLineAsync("ed25519-sk", SkLine("sk-ssh-ed25519@openssh.com", w =>
        {
            w.String(RandomNumberGenerator.GetBytes(32));
            w.String("ssh:"u8);
        }));
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var q = ecdsa.ExportParameters(false).Q;
        ByName["ecdsa-sk"] = await FromPublicLineAsync("ecdsa-sk", SkLine("sk-ecdsa-sha2-nistp256@openssh.com", w =>
        {
            w.String("nistp256"u8);
            w.String([0x04, .. q.X!, .. q.Y!]);
            w.String("ssh:"u8);
        }));
    }

    public Task DisposeAsync()
    {
        _folder.Dispose();
        return Task.CompletedTask;
    }

    public string PublicLine(string name) => ByName[name].PublicLine;

    public static byte[] Blob(string type, Action<WireWriter> body)
    {
        var writer = new WireWriter();
        writer.String(Encoding.ASCII.GetBytes(type));
        body(writer);
        return writer.ToArray();
    }

    private static string SkLine(string type, Action<WireWriter> body) => $"{type} {Convert.ToBase64String(Blob(type, body))} sk@test";

    private async Task<ClientKey> FromPublicLineAsync(string name, string line)
    {
        var path = Path.Combine(_folder.Path, name);
        await File.WriteAllTextAsync(path + ".pub", line + "\n");
        return await ClientKey.FromFilesAsync(path);
    }

    public sealed class WireWriter
    {
        private readonly MemoryStream _stream = new();

        public void String(ReadOnlySpan<byte> value)
        {
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)value.Length);
            _stream.Write(length);
            _stream.Write(value);
        }

        public byte[] ToArray() => _stream.ToArray();
    }
}
