using Porthole.Ssh.Keys;
using Porthole.Ssh.Tests.Support;

namespace Porthole.Ssh.Tests.Keys;

public sealed class HostKeyTests : IDisposable
{
    private readonly TempFolder _folder = new("porthole-hostkey-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_host_key_is_made_once_private_and_kept()
    {
        var path = _folder.Combine("runner", "ssh_host_ed25519_key");

        var made = await HostKey.LoadOrCreateAsync(path, CancellationToken.None);
        var again = await HostKey.LoadOrCreateAsync(path, CancellationToken.None);

        var (fingerprint, bits, label) = await ClientKey.KeygenFingerprintAsync(path + ".pub");
        Assert.Equal((fingerprint, 256, "ED25519"), (made.Fingerprint, bits, label));
        Assert.Equal(made.Fingerprint, again.Fingerprint);
        Assert.StartsWith("ssh-ed25519 AAAA", made.PublicLine, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["ssh_host_ed25519_key", "ssh_host_ed25519_key.pub"], Directory.GetFiles(_folder.Combine("runner")).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Nodes_starting_together_share_one_host_key()
    {
        var path = _folder.Combine("ssh_host_ed25519_key");

        var keys = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => HostKey.LoadOrCreateAsync(path, CancellationToken.None)));

        Assert.Single(keys.Select(k => k.Fingerprint).Distinct());
    }

    [Fact]
    public async Task A_key_without_its_pub_file_is_read_with_ssh_keygen()
    {
        var path = _folder.Combine("key");
        var made = await HostKey.LoadOrCreateAsync(path, CancellationToken.None);
        File.Delete(path + ".pub");

        var loaded = await HostKey.LoadOrCreateAsync(path, CancellationToken.None);

        Assert.Equal(made.Fingerprint, loaded.Fingerprint);
    }
}
