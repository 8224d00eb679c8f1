using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Porthole.Server.Ssh;

/// <summary>
/// Reads the public keys a code host lists for an account (R-KEY-2): GitHub's and GitLab's <c>USER.keys</c>
/// (one key a line) and Bitbucket's <c>2.0/users/USER/ssh-keys</c> (JSON). The base addresses are settings,
/// so tests point them at a local server.
/// </summary>
public sealed partial class KeyProviders(HttpClient http, IOptions<PortholeOptions> options)
{
    private const int MaxBytes = 1024 * 1024;

    [GeneratedRegex("^(github|gitlab|bitbucket):([A-Za-z0-9](?:[A-Za-z0-9._-]{0,38}))$")]
    private static partial Regex SourcePattern();

    /// <summary>The key lines of <paramref name="source"/>, or the reason they cannot be read.</summary>
    public async Task<(IReadOnlyList<string>? Lines, string? Problem)> FetchAsync(string source, CancellationToken ct)
    {
        var match = SourcePattern().Match(source);
        if (!match.Success)
        {
            return (null, $"'{Api.MessageText.Shorten(source)}' is not a key source: use github:USER, gitlab:USER or bitbucket:USER.");
        }

        var (provider, user) = (match.Groups[1].Value, match.Groups[2].Value);
        var settings = options.Value;
        var address = provider switch
        {
            "github" => $"{settings.GitHubKeysBase.TrimEnd('/')}/{user}.keys",
            "gitlab" => $"{settings.GitLabKeysBase.TrimEnd('/')}/{user}.keys",
            _ => $"{settings.BitbucketKeysBase.TrimEnd('/')}/2.0/users/{user}/ssh-keys",
        };

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            using var response = await http.GetAsync(address, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return (null, $"{provider} has no account named {user}.");
            }

            if (!response.IsSuccessStatusCode)
            {
                return (null, $"{provider} answered {(int)response.StatusCode} for {user}'s keys; try again later.");
            }

            if (response.Content.Headers.ContentLength > MaxBytes)
            {
                return (null, $"{provider}'s key list for {user} is larger than 1 MiB.");
            }

            var text = await ReadCappedAsync(response.Content, timeout.Token);
            if (text is null)
            {
                return (null, $"{provider}'s key list for {user} is larger than 1 MiB.");
            }

            return provider == "bitbucket" ? BitbucketLines(text, user) : (Lines(text), null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (null, $"cannot reach {provider} for {user}'s keys: {e.Message}");
        }
    }

    private static IReadOnlyList<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static (IReadOnlyList<string>? Lines, string? Problem) BitbucketLines(string text, string user)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            if (!document.RootElement.TryGetProperty("values", out var values) || values.ValueKind != JsonValueKind.Array)
            {
                return (null, $"bitbucket's answer for {user} has no 'values' list.");
            }

            return ([.. values.EnumerateArray()
                .Select(v => v.TryGetProperty("key", out var key) && key.ValueKind == JsonValueKind.String ? key.GetString() : null)
                .OfType<string>()], null);
        }
        catch (JsonException)
        {
            return (null, $"bitbucket's answer for {user} is not JSON.");
        }
    }

    private static async Task<string?> ReadCappedAsync(HttpContent content, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        var buffer = new byte[MaxBytes + 1];
        var total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(total), ct)) > 0)
        {
            total += read;
            if (total > MaxBytes)
            {
                return null;
            }
        }

        return System.Text.Encoding.UTF8.GetString(buffer, 0, total);
    }
}
