namespace Porthole.Ssh.Tests.Support;

/// <summary>A key pair made by the real ssh-keygen, with the fingerprint ssh-keygen itself prints for it.</summary>
internal sealed record ClientKey(string PrivatePath, string PublicLine, string Fingerprint, int Bits, string Label)
{
    public static async Task<ClientKey> CreateAsync(string folder, string name, string type, int? bits = null, string? comment = null)
    {
        var path = Path.Combine(folder, name);
        string[] arguments = bits is null
            ? ["-q", "-t", type, "-N", string.Empty, "-C", comment ?? name + "@test", "-f", path]
            : ["-q", "-t", type, "-b", bits.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "-N", string.Empty, "-C", comment ?? name + "@test", "-f", path];
        var made = await Programs.RunOnceAsync("ssh-keygen", arguments);
        Assert.True(made.ExitCode == 0, made.Error);
        return await FromFilesAsync(path);
    }

    public static async Task<ClientKey> FromFilesAsync(string privatePath)
    {
        var publicLine = (await File.ReadAllTextAsync(privatePath + ".pub")).Trim();
        var (fingerprint, bits, label) = await KeygenFingerprintAsync(privatePath + ".pub");
        return new ClientKey(privatePath, publicLine, fingerprint, bits, label);
    }

    /// <summary>What <c>ssh-keygen -lf FILE</c> prints: <c>256 SHA256:… comment (ED25519)</c>.</summary>
    public static async Task<(string Fingerprint, int Bits, string Label)> KeygenFingerprintAsync(string publicKeyFile)
    {
        var listed = await Programs.RunOnceAsync("ssh-keygen", "-lf", publicKeyFile);
        Assert.True(listed.ExitCode == 0, listed.Error);
        var words = listed.Output.Trim().Split(' ');
        return (words[1], int.Parse(words[0], System.Globalization.CultureInfo.InvariantCulture), words[^1].Trim('(', ')'));
    }
}
