using System.Security.Cryptography;
using System.Text;
using Porthole.Server.Projects;

namespace Porthole.Server.Tests.Travis;

/// <summary>
/// Travis <c>secure:</c> values (dialects.md §B12) against the key the real server made for a project: what openssl
/// encrypts with either padding Travis's clients have used (OAEP SHA-1, PKCS#1 v1.5) decrypts; what was made for another
/// key (travis-ci.com's), is not base64, is of the wrong length or is not UTF-8 is null; what <see cref="SecureValues.Encrypt"/>
/// makes is standard OAEP, which openssl decrypts.
/// </summary>
public sealed class SecureValueTests(SecureValueServer fixture) : IClassFixture<SecureValueServer>
{
    private static readonly UTF8Encoding Utf8 = new(false);

    [Theory]
    [InlineData("oaep")]
    [InlineData("pkcs1")]
    public void A_value_openssl_encrypts_for_the_served_key_with_either_padding_decrypts(string padding)
    {
        const string Plaintext = "API_KEY=\"s3cr3t wïth ünïcode\"";
        var cipher = OpenSsl.Encrypt(fixture.PublicPemPath, Utf8.GetBytes(Plaintext), padding, fixture.Files);

        Assert.Equal(512, cipher.Length);
        Assert.Equal(Plaintext, SecureValues.Decrypt(fixture.Key, Convert.ToBase64String(cipher)));
    }

    [Fact]
    public void A_value_line_wrapped_as_Travis_servers_base64_it_still_decrypts()
    {
        // Ruby's Base64.encode64 (travis-api ssl_key.rb #encode) breaks the text every 60 characters.
        var cipher = OpenSsl.Encrypt(fixture.PublicPemPath, Utf8.GetBytes("TOKEN=abc"), "pkcs1", fixture.Files);
        var base64 = Convert.ToBase64String(cipher);
        var wrapped = string.Join('\n', base64.Chunk(60).Select(c => new string(c))) + "\n";

        Assert.Contains("\n", wrapped.TrimEnd('\n'), StringComparison.Ordinal);
        Assert.Equal("TOKEN=abc", SecureValues.Decrypt(fixture.Key, wrapped));
    }

    [Fact]
    public void A_value_encrypted_for_another_key_of_the_same_size_is_null_with_either_padding()
    {
        var (_, otherPublic) = OpenSsl.GenerateKey(fixture.Files, "travis-ci-com", 4096);
        foreach (var padding in (string[])["oaep", "pkcs1"])
        {
            var cipher = OpenSsl.Encrypt(otherPublic, Utf8.GetBytes("API_KEY=hunter2"), padding, fixture.Files);

            Assert.Equal(512, cipher.Length);
            Assert.Null(SecureValues.Decrypt(fixture.Key, Convert.ToBase64String(cipher)));
        }
    }

    [Fact]
    public void A_value_for_a_smaller_key_is_of_the_wrong_length_and_null()
    {
        var (_, otherPublic) = OpenSsl.GenerateKey(fixture.Files, "small", 2048);
        var cipher = OpenSsl.Encrypt(otherPublic, Utf8.GetBytes("API_KEY=hunter2"), "pkcs1", fixture.Files);

        Assert.Equal(256, cipher.Length);
        Assert.Null(SecureValues.Decrypt(fixture.Key, Convert.ToBase64String(cipher)));
    }

    public static TheoryData<string?> NotSecureValues() => new(
        null,
        "",
        "   \n",
        "not base64 at all!",
        "$(echo pwned)",
        "QUJD=",
        Convert.ToBase64String(new byte[511]),
        Convert.ToBase64String(new byte[513]),
        Convert.ToBase64String(new byte[512]),
        Convert.ToBase64String(Enumerable.Repeat((byte)0xff, 512).ToArray()));

    [Theory]
    [MemberData(nameof(NotSecureValues))]
    public void What_is_not_base64_or_not_a_ciphertext_of_this_key_is_null(string? text)
    {
        Assert.Null(SecureValues.Decrypt(fixture.Key, text));
    }

    [Fact]
    public void A_megabyte_of_base64_is_null_undecoded()
    {
        Assert.Null(SecureValues.Decrypt(fixture.Key, new string('A', 1_000_000)));
    }

    [Theory]
    [InlineData("oaep")]
    [InlineData("pkcs1")]
    public void Bytes_that_are_not_UTF8_text_or_hold_a_NUL_are_null(string padding)
    {
        foreach (var bytes in (byte[][])[[0x41, 0xff, 0xfe, 0x42], [0xc3], Utf8.GetBytes("A=1\0B=2")])
        {
            var cipher = OpenSsl.Encrypt(fixture.PublicPemPath, bytes, padding, fixture.Files);

            Assert.Null(SecureValues.Decrypt(fixture.Key, Convert.ToBase64String(cipher)));
        }
    }

    [Fact]
    public void Encrypt_is_OAEP_with_SHA1_which_openssl_decrypts()
    {
        using var publicKey = RSA.Create();
        publicKey.ImportFromPem(fixture.View.Key);
        const string Plaintext = "DEPLOY_TOKEN=ghp_0123456789abcdef";

        var base64 = SecureValues.Encrypt(publicKey, Plaintext);

        var cipher = Convert.FromBase64String(base64);
        Assert.Equal(Plaintext, Utf8.GetString(OpenSsl.Decrypt(fixture.PrivatePemPath, cipher, "oaep", fixture.Files)));
        Assert.Equal(Plaintext, SecureValues.Decrypt(fixture.Key, base64));
        Assert.NotEqual(base64, SecureValues.Encrypt(publicKey, Plaintext));
    }

    [Fact]
    public void Encrypt_takes_470_bytes_with_a_4096_bit_key_and_refuses_more_without_the_text()
    {
        using var publicKey = RSA.Create();
        publicKey.ImportFromPem(fixture.View.Key);
        var longest = "K=" + new string('x', 468);
        var secret = "K=" + new string('y', 469);

        Assert.Equal(470, SecureValues.MaxPlaintextBytes(publicKey));
        Assert.Equal(longest, SecureValues.Decrypt(fixture.Key, SecureValues.Encrypt(publicKey, longest)));
        var refused = Assert.Throws<ArgumentException>(() => SecureValues.Encrypt(publicKey, secret));
        Assert.Contains("at most 470 bytes", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("yyyy", refused.Message, StringComparison.Ordinal);
    }
}
