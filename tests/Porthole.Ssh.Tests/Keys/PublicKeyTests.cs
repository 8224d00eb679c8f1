using Porthole.Ssh.Keys;

namespace Porthole.Ssh.Tests.Keys;

/// <summary>R-KEY-1: keys are validated and fingerprinted exactly as OpenSSH does.</summary>
public sealed class PublicKeyTests(GeneratedKeys keys) : IClassFixture<GeneratedKeys>
{
    [Theory]
    [InlineData("ed25519", "ssh-ed25519")]
    [InlineData("ecdsa256", "ecdsa-sha2-nistp256")]
    [InlineData("ecdsa384", "ecdsa-sha2-nistp384")]
    [InlineData("ecdsa521", "ecdsa-sha2-nistp521")]
    [InlineData("rsa2048", "ssh-rsa")]
    [InlineData("rsa3072", "ssh-rsa")]
    [InlineData("ed25519-sk", "sk-ssh-ed25519@openssh.com")]
    [InlineData("ecdsa-sk", "sk-ecdsa-sha2-nistp256@openssh.com")]
    public void Every_accepted_type_parses_with_the_fingerprint_and_size_ssh_keygen_prints(string name, string type)
    {
        var generated = keys.ByName[name];

        var result = PublicKey.Parse(generated.PublicLine + "\n");

        Assert.True(result.IsValid, result.Problem?.Message);
        Assert.Equal(type, result.Key.Type);
        Assert.Equal(generated.Fingerprint, result.Key.Fingerprint);
        Assert.Equal(generated.Bits, result.Key.Bits);
        Assert.Equal(generated.Label, result.Key.TypeLabel);
        Assert.Equal(generated.PublicLine.Split(' ')[2], result.Key.Comment);
        Assert.Equal(string.Join(' ', generated.PublicLine.Split(' ').Take(2)), result.Key.KeyText);
    }

    [Fact]
    public void A_comment_with_spaces_and_windows_line_ends_are_kept_and_ignored()
    {
        var line = string.Join(' ', keys.PublicLine("ed25519").Split(' ').Take(2)) + "  Alice's laptop (work)\r\n";

        var result = PublicKey.Parse(line);

        Assert.True(result.IsValid);
        Assert.Equal("Alice's laptop (work)", result.Key.Comment);
    }

    [Fact]
    public void An_RSA_key_under_2048_bits_is_refused_with_its_size()
    {
        var result = PublicKey.Parse(keys.PublicLine("rsa1024"));

        Assert.False(result.IsValid);
        Assert.Equal(KeyProblemKind.RsaTooShort, result.Problem.Kind);
        Assert.Equal("key_rsa_too_short", result.Problem.Code);
        Assert.StartsWith("RSA keys must have at least 2048 bits; this one has 1024", result.Problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_private_key_pasted_by_mistake_is_refused_with_what_to_add_instead()
    {
        var result = PublicKey.Parse(await File.ReadAllTextAsync(keys.ByName["ed25519"].PrivatePath));

        Assert.Equal(KeyProblemKind.PrivateKey, result.Problem?.Kind);
        Assert.Contains("private key; add the .pub file, e.g. ~/.ssh/id_ed25519.pub", result.Problem!.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no-pty ")]
    [InlineData("command=\"echo hi; exit\",no-port-forwarding ")]
    [InlineData("restrict,from=\"10.0.0.0/8\" ")]
    public void A_line_with_options_before_the_type_is_refused(string options)
    {
        var result = PublicKey.Parse(options + keys.PublicLine("ed25519"));

        Assert.Equal(KeyProblemKind.HasOptions, result.Problem?.Kind);
        Assert.Contains("remove the options before the key type", result.Problem!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_DSA_key_is_refused()
    {
        var result = PublicKey.Parse(keys.PublicLine("dsa"));

        Assert.Equal(KeyProblemKind.UnsupportedType, result.Problem?.Kind);
        Assert.Contains("ssh-dss", result.Problem!.Message, StringComparison.Ordinal);
        Assert.Contains("not accepted", result.Problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_blob_of_another_type_than_the_line_says_is_refused()
    {
        var ed25519Data = keys.PublicLine("ed25519").Split(' ')[1];

        var result = PublicKey.Parse($"ssh-rsa {ed25519Data} me@host");

        Assert.Equal(KeyProblemKind.TypeMismatch, result.Problem?.Kind);
        Assert.Contains("'ssh-ed25519'", result.Problem!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void More_than_one_key_is_refused()
    {
        var two = keys.PublicLine("ed25519") + "\n" + keys.PublicLine("ecdsa256") + "\n";
        var glued = keys.PublicLine("ed25519") + " " + keys.PublicLine("rsa2048");

        Assert.Equal(KeyProblemKind.MultipleKeys, PublicKey.Parse(two).Problem?.Kind);
        Assert.Equal(KeyProblemKind.MultipleKeys, PublicKey.Parse(glued).Problem?.Kind);
    }

    [Theory]
    [InlineData("", KeyProblemKind.Empty)]
    [InlineData("   \n\t", KeyProblemKind.Empty)]
    [InlineData(null, KeyProblemKind.Empty)]
    [InlineData("# my laptop key", KeyProblemKind.CommentOnly)]
    [InlineData("alice@laptop", KeyProblemKind.CommentOnly)]
    [InlineData("hello there, this is my key", KeyProblemKind.NotAKey)]
    [InlineData("ssh-ed25519", KeyProblemKind.NotAKey)]
    [InlineData("ssh-ed25519 not*base64!! me@host", KeyProblemKind.NotBase64)]
    [InlineData("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA== me@host", KeyProblemKind.MalformedKey)]
    [InlineData("ssh-foo AAAAB3NzaC1yc2E= me@host", KeyProblemKind.UnsupportedType)]
    [InlineData("ssh-ed25519-cert-v01@openssh.com AAAA me@host", KeyProblemKind.UnsupportedType)]
    [InlineData("---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n---- END SSH2 PUBLIC KEY ----", KeyProblemKind.NotAKey)]
    public void Garbage_is_refused_with_a_reason_never_an_exception(string? text, KeyProblemKind kind)
    {
        var result = PublicKey.Parse(text);

        Assert.False(result.IsValid);
        Assert.Equal(kind, result.Problem.Kind);
        Assert.False(string.IsNullOrWhiteSpace(result.Problem.Message));
    }

    [Fact]
    public void A_key_split_across_lines_is_refused()
    {
        var line = keys.PublicLine("ed25519");

        var result = PublicKey.Parse(line[..40] + "\n" + line[40..]);

        Assert.Equal(KeyProblemKind.NotAKey, result.Problem?.Kind);
        Assert.Contains("single line", result.Problem!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ecdsa_point_off_its_curve_is_refused()
    {
        var blob = GeneratedKeys.Blob("ecdsa-sha2-nistp256", w =>
        {
            w.String("nistp256"u8);
            w.String([0x04, .. Enumerable.Repeat((byte)7, 64)]);
        });

        var result = PublicKey.Parse($"ecdsa-sha2-nistp256 {Convert.ToBase64String(blob)}");

        Assert.Equal(KeyProblemKind.MalformedKey, result.Problem?.Kind);
    }

    [Fact]
    public void Trailing_bytes_in_the_key_data_are_refused()
    {
        var blob = GeneratedKeys.Blob("ssh-ed25519", w =>
        {
            w.String(new byte[32]);
            w.String("extra"u8);
        });

        Assert.Equal(KeyProblemKind.MalformedKey, PublicKey.Parse($"ssh-ed25519 {Convert.ToBase64String(blob)}").Problem?.Kind);
    }
}
