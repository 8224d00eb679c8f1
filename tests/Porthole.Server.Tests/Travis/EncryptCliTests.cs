using System.Diagnostics;
using Porthole.Cli;
using Porthole.Server.Projects;

namespace Porthole.Server.Tests.Travis;

/// <summary>
/// <c>porthole encrypt</c> against the real server (§B12): it prints one <c>secure: "…"</c> line, never the value, and the
/// key the server keeps for the project decrypts it; a value read from standard input is written as a bash word that
/// reads back as exactly the value (Travis exports each env entry as written).
/// </summary>
public sealed class EncryptCliTests(SecureValueServer fixture) : IClassFixture<SecureValueServer>
{
    [Fact]
    public async Task Name_and_value_print_one_secure_line_that_the_projects_key_decrypts()
    {
        var (code, output, error) = await RunAsync(null, "encrypt", "app", "API_KEY=hunter2-secret");

        Assert.Equal((0, ""), (code, error));
        Assert.Equal("API_KEY=hunter2-secret", SecureValues.Decrypt(fixture.Key, SecureLine(output)));
        Assert.DoesNotContain("hunter2", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_alone_reads_the_value_from_standard_input_as_a_bash_word()
    {
        const string Value = "it's a \"pass\" $HOME `x`";

        var (code, output, error) = await RunAsync(Value + "\n", "encrypt", "app", "DB_PASS");

        Assert.Equal((0, ""), (code, error));
        var entry = SecureValues.Decrypt(fixture.Key, SecureLine(output));
        Assert.NotNull(entry);
        Assert.StartsWith("DB_PASS='", entry, StringComparison.Ordinal);
        Assert.Equal(Value, Bash($"export {entry}; printf %s \"$DB_PASS\""));
        Assert.DoesNotContain("pass", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_value_the_text_on_standard_input_is_encrypted_as_it_is()
    {
        var (code, output, error) = await RunAsync("myorg:xoxb-123-456#builds\n", "encrypt", "app");

        Assert.Equal((0, ""), (code, error));
        Assert.Equal("myorg:xoxb-123-456#builds", SecureValues.Decrypt(fixture.Key, SecureLine(output)));
    }

    [Fact]
    public async Task An_unknown_project_is_the_servers_404_and_nothing_on_standard_output()
    {
        var (code, output, error) = await RunAsync(null, "encrypt", "nope", "API_KEY=hunter2-secret");

        Assert.Equal((1, ""), (code, output));
        Assert.Equal("error: There is no project named 'nope' that you can see. (project_not_found)\n", error);
    }

    /// <summary>The base64 of the one line <c>secure: "…"</c> that is all of <paramref name="output"/>.</summary>
    private static string SecureLine(string output)
    {
        var match = System.Text.RegularExpressions.Regex.Match(output, "^secure: \"([A-Za-z0-9+/=]+)\"\n$", default, TimeSpan.FromSeconds(1));
        Assert.True(match.Success, output);
        return match.Groups[1].Value;
    }

    private static string Bash(string script)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.Environment["HOME"] = "/home/not-expanded";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("bash did not finish in 30 s");
        }

        Assert.Equal(0, process.ExitCode);
        return output.Result;
    }

    private async Task<(int Code, string Out, string Err)> RunAsync(string? input, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var stdin = new StringReader(input ?? "");
        var token = (await File.ReadAllTextAsync(Path.Combine(fixture.Server.DataDirectory, "admin-token"))).Trim();
        var environment = new Dictionary<string, string>
        {
            ["PORTHOLE_SERVER"] = fixture.Server.Address.ToString(),
            ["PORTHOLE_TOKEN"] = token,
            ["PORTHOLE_CONFIG"] = Path.Combine(fixture.Files, "no-config.json"),
        };
        var context = new CliContext(output, error, new MemoryStream(), name => environment.TryGetValue(name, out var value) ? value : null) { Input = stdin };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var code = await Cli.Cli.RunAsync(args, context, timeout.Token);
        return (code, output.ToString(), error.ToString());
    }
}
