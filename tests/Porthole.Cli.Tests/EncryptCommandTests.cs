using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Porthole.Cli.Tests;

/// <summary>
/// <c>porthole encrypt</c> (dialects.md §B12) against a stand-in server holding a key of the test's own: it asks for the
/// project's key, prints only <c>secure: "…"</c> (OAEP, which the key decrypts), reads a value from standard input when
/// asked, and never prints the value, in its answer or in a refusal. A bad variable name is refused before anything is sent.
/// </summary>
public sealed class EncryptCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly RSA _key = RSA.Create(2048);

    public void Dispose()
    {
        _key.Dispose();
        _folder.Dispose();
    }

    [Theory]
    [InlineData("PUBLIC KEY")]
    [InlineData("RSA PUBLIC KEY")]
    public async Task Name_and_value_print_only_the_secure_line_for_the_projects_key(string pemForm)
    {
        var pem = pemForm == "PUBLIC KEY" ? _key.ExportSubjectPublicKeyInfoPem() : _key.ExportRSAPublicKeyPem();
        await using var server = KeyServer(pem);

        var outcome = await RunAsync(server, input: null, "encrypt", "app", "API_KEY=hunter2");

        Assert.Equal((0, ""), (outcome.ExitCode, outcome.Stderr));
        Assert.Equal("API_KEY=hunter2", Decrypt(outcome.Stdout));
        Assert.DoesNotContain("hunter2", outcome.Stdout, StringComparison.Ordinal);
        var request = Assert.Single(server.Requests);
        Assert.Equal(("GET", "/api/projects/app/key"), (request.Method, request.Path));
    }

    [Theory]
    [InlineData("abc123\n", "TOKEN=abc123")]
    [InlineData("two words\r\n", "TOKEN='two words'")]
    [InlineData("it's\n\n", "TOKEN='it'\\''s'")]
    [InlineData("$HOME", "TOKEN='$HOME'")]
    [InlineData("  padded  \n", "TOKEN='  padded  '")]
    public async Task A_name_alone_reads_its_value_from_standard_input_as_one_bash_word(string input, string expected)
    {
        await using var server = KeyServer();

        var outcome = await RunAsync(server, input, "encrypt", "app", "TOKEN");

        Assert.Equal((0, ""), (outcome.ExitCode, outcome.Stderr));
        Assert.Equal(expected, Decrypt(outcome.Stdout));
    }

    [Fact]
    public async Task Without_a_value_the_text_on_standard_input_is_encrypted_as_it_is()
    {
        await using var server = KeyServer();

        var outcome = await RunAsync(server, "myorg:xoxb-123#builds\n", "encrypt", "app");

        Assert.Equal((0, ""), (outcome.ExitCode, outcome.Stderr));
        Assert.Equal("myorg:xoxb-123#builds", Decrypt(outcome.Stdout));
    }

    [Fact]
    public async Task Text_that_is_no_variable_name_and_has_no_equals_sign_is_encrypted_as_it_is()
    {
        // travis encrypt takes any string: a notification's "account:token#channel" is the usual one (§B12).
        await using var server = KeyServer();

        var outcome = await RunAsync(server, input: null, "encrypt", "app", "myorg:xoxb-123#builds");

        Assert.Equal((0, ""), (outcome.ExitCode, outcome.Stderr));
        Assert.Equal("myorg:xoxb-123#builds", Decrypt(outcome.Stdout));
    }

    [Theory]
    [InlineData("my-var=hunter2", "my-var")]
    [InlineData("1ST=hunter2", "1ST")]
    [InlineData("=hunter2", "")]
    [InlineData("A B=hunter2", "A B")]
    public async Task A_name_that_is_not_a_variable_name_is_refused_before_anything_is_sent(string argument, string name)
    {
        await using var server = KeyServer();

        var outcome = await RunAsync(server, input: null, "encrypt", "app", argument);

        Assert.Equal((2, ""), (outcome.ExitCode, outcome.Stdout));
        var line = Assert.Single(outcome.StderrLines);
        Assert.StartsWith($"error: '{name}' is not an environment variable name (letters, digits and _, not starting with a digit): write NAME=value;", line, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", line, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Theory]
    [InlineData("", "the value of TOKEN", "TOKEN")]
    [InlineData("\n", "the value of TOKEN", "TOKEN")]
    [InlineData("", "the text to encrypt", null)]
    public async Task Empty_standard_input_is_refused(string input, string what, string? name)
    {
        await using var server = KeyServer();

        var outcome = await RunAsync(server, input, name is null ? ["encrypt", "app"] : ["encrypt", "app", name]);

        Assert.Equal((1, ""), (outcome.ExitCode, outcome.Stdout));
        Assert.StartsWith($"error: standard input was empty: give {what} on it", Assert.Single(outcome.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Standard_input_over_64_KiB_is_refused()
    {
        await using var server = KeyServer();

        var outcome = await RunAsync(server, new string('z', 65 * 1024), "encrypt", "app", "TOKEN");

        Assert.Equal((1, ""), (outcome.ExitCode, outcome.Stdout));
        Assert.Equal("error: standard input is over 64 KiB: a secure value holds a few hundred bytes at most\n", outcome.Stderr);
    }

    [Fact]
    public async Task A_value_too_long_for_the_key_is_refused_without_showing_it()
    {
        await using var server = KeyServer();
        var value = "BIG=" + new string('q', 211);

        var fits = await RunAsync(server, input: null, "encrypt", "app", value[..^1]);
        var outcome = await RunAsync(server, input: null, "encrypt", "app", value);

        Assert.Equal(value[..^1], Decrypt(fits.Stdout));
        Assert.Equal((1, ""), (outcome.ExitCode, outcome.Stdout));
        var line = Assert.Single(outcome.StderrLines);
        Assert.StartsWith("error: that is 215 bytes and a secure value holds at most 214 with project app's key;", line, StringComparison.Ordinal);
        Assert.DoesNotContain("qqq", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_a_terminal_it_says_on_standard_error_what_it_reads()
    {
        await using var server = KeyServer();

        var outcome = await RunAsync(server, "s3cret\n", inputIsTerminal: true, "encrypt", "app", "TOKEN");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("reading the value of TOKEN from standard input; end it with Ctrl+D\n", outcome.Stderr);
        Assert.Equal("TOKEN=s3cret", Decrypt(outcome.Stdout));
    }

    [Fact]
    public async Task The_servers_refusal_is_one_line_and_nothing_on_standard_output()
    {
        await using var server = new FakeHttpServer((request, response) =>
            response.ProblemAsync(404, "Not Found", "There is no project named 'nope' that you can see.", "project_not_found"));

        var outcome = await RunAsync(server, input: null, "encrypt", "nope", "API_KEY=hunter2");

        Assert.Equal((1, ""), (outcome.ExitCode, outcome.Stdout));
        Assert.Equal("error: There is no project named 'nope' that you can see. (project_not_found)\n", outcome.Stderr);
        Assert.DoesNotContain("hunter2", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_without_an_RSA_public_key_is_a_clear_error()
    {
        await using var server = KeyServer("not a key");

        var outcome = await RunAsync(server, input: null, "encrypt", "app", "API_KEY=hunter2");

        Assert.Equal((1, ""), (outcome.ExitCode, outcome.Stdout));
        Assert.StartsWith("error: the server's answer holds no RSA public key", outcome.Stderr, StringComparison.Ordinal);
    }

    private FakeHttpServer KeyServer(string? pem = null)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["key"] = pem ?? _key.ExportSubjectPublicKeyInfoPem(), ["fingerprint"] = "00:11" });
        return new FakeHttpServer((request, response) => response.JsonAsync(body));
    }

    /// <summary>The plaintext of the one line <c>secure: "…"</c> that is all of <paramref name="stdout"/>, decrypted with OAEP (SHA-1).</summary>
    private string Decrypt(string stdout)
    {
        Assert.StartsWith("secure: \"", stdout, StringComparison.Ordinal);
        Assert.EndsWith("\"\n", stdout, StringComparison.Ordinal);
        var base64 = stdout["secure: \"".Length..^2];
        return Encoding.UTF8.GetString(_key.Decrypt(Convert.FromBase64String(base64), RSAEncryptionPadding.OaepSHA1));
    }

    private Task<CliOutcome> RunAsync(FakeHttpServer server, string? input, params string[] args) => RunAsync(server, input, inputIsTerminal: false, args);

    private async Task<CliOutcome> RunAsync(FakeHttpServer server, string? input, bool inputIsTerminal, params string[] args)
    {
        var environment = CliRunner.LoggedIn(server.Url, _folder);
        using var stdout = new MemoryStream();
        await using var text = new StreamWriter(stdout, new UTF8Encoding(false), leaveOpen: true) { AutoFlush = true };
        await using var stderr = new StringWriter();
        using var stdin = new StringReader(input ?? "");
        var context = new CliContext(text, stderr, stdout, name => environment.TryGetValue(name, out var value) ? value : null)
        {
            Input = stdin,
            InputIsTerminal = inputIsTerminal,
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var exitCode = await Cli.RunAsync(args, context, timeout.Token);
        await text.FlushAsync();
        return new CliOutcome(exitCode, stdout.ToArray(), stderr.ToString());
    }
}
