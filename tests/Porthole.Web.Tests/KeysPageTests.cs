using System.Text.Json;
using Microsoft.Playwright;
using Porthole.Server.Ssh;
using Porthole.Server.Tests.Support;
using Porthole.Web.Tests.Support;

namespace Porthole.Web.Tests;

/// <summary>The keys page (R-KEY-1, R-KEY-2): keys made by the real ssh-keygen, pasted, refused, imported and removed.</summary>
public sealed class KeysPageTests(WebFixture web) : WebTest(web), IDisposable
{
    private readonly TempFolder _keys = new("porthole-web-keys-");
    private readonly List<ApiClient> _clients = [];

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        _keys.Dispose();
    }

    [Fact]
    public async Task A_pasted_key_is_added_listed_and_removed_after_a_confirm()
    {
        var (page, api) = await SignedInAsNewUserAsync("keys");
        await page.GotoAsync("/keys");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("SSH keys");
        await Assertions.Expect(page.Locator(".empty")).ToContainTextAsync("no SSH keys");
        var key = SshKeyFile.Generate(_keys.Path, "pasted");

        await page.GetByLabel("Public key").FillAsync(key.PublicLine + "\n");
        await page.GetByLabel("Title").FillAsync("work laptop");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add key" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Uri(Web.Address, "/keys").ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Added key {key.Fingerprint}");
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = key.Fingerprint });
        await Assertions.Expect(row).ToContainTextAsync("ssh-ed25519");
        await Assertions.Expect(row).ToContainTextAsync("work laptop");
        await Assertions.Expect(row).ToContainTextAsync("pasted@test");
        Assert.Contains(key.Fingerprint, (await api.GetJsonAsync("/api/users/me/keys")).GetRawText(), StringComparison.Ordinal);
        await Screenshots.SaveAsync(page, "keys", narrowToo: true);

        await row.Locator("summary").ClickAsync();
        await Assertions.Expect(row.GetByText("SSH logins with this key will be refused")).ToBeVisibleAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Remove this key" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Removed key {key.Fingerprint}");
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = key.Fingerprint })).ToHaveCountAsync(0);
        Assert.DoesNotContain(key.Fingerprint, (await api.GetJsonAsync("/api/users/me/keys")).GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_key_shows_the_apis_reason_and_keeps_what_was_pasted()
    {
        var (page, _) = await SignedInAsNewUserAsync("badkeys");
        await page.GotoAsync("/keys");
        var weak = SshKeyFile.Generate(_keys.Path, "weak", "rsa", 1024);

        foreach (var text in new[] { weak.PublicLine, "ssh-ed25519 not-base64 me@host", "just some words" })
        {
            await page.GetByLabel("Public key").FillAsync(text);
            await page.GetByRole(AriaRole.Button, new() { Name = "Add key" }).ClickAsync();

            // The sentence the API gives for the same text (KeyCheck is what both call).
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(KeyCheck.Parse(text).Problem!);
            await Assertions.Expect(page.GetByLabel("Public key")).ToHaveValueAsync(text);
            await Assertions.Expect(page.GetByLabel("Public key")).ToHaveAttributeAsync("aria-invalid", "true");
        }

        await page.GetByLabel("Public key").FillAsync(weak.PublicLine);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add key" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("2048");
        await Screenshots.SaveAsync(page, "keys-refused");

        var good = SshKeyFile.Generate(_keys.Path, "twice");
        await page.GetByLabel("Public key").FillAsync(good.PublicLine);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add key" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Added key");
        await page.GetByLabel("Public key").FillAsync(good.PublicLine);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add key" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync($"You have already added this key ({good.Fingerprint}).");
    }

    [Fact]
    public async Task Importing_from_github_adds_the_accepted_keys_and_lists_the_skipped_ones_with_the_reason()
    {
        var (page, api) = await SignedInAsNewUserAsync("importer");
        var account = "gh-" + Guid.NewGuid().ToString("N")[..8];
        var good = SshKeyFile.Generate(_keys.Path, "github-good");
        var weak = SshKeyFile.Generate(_keys.Path, "github-weak", "rsa", 1024);
        Web.KeyLists[$"/{account}.keys"] = $"{good.PublicLine}\n{weak.PublicLine}\n";
        await page.GotoAsync("/keys");

        await page.GetByLabel("Code host").SelectOptionAsync("GitHub");
        await page.GetByLabel("User name there").FillAsync(account);
        await page.GetByRole(AriaRole.Button, new() { Name = "Import keys" }).ClickAsync();

        var result = page.Locator(".import-result");
        await Assertions.Expect(result).ToContainTextAsync($"Imported from github:{account}");
        await Assertions.Expect(result).ToContainTextAsync("Added 1 key; skipped 1 key.");
        await Assertions.Expect(result.Locator("[data-import=added]")).ToContainTextAsync(good.Fingerprint);
        var skipped = result.Locator("[data-import=skipped] li");
        // A key too weak to parse has no fingerprint: the page shows the start of its line.
        await Assertions.Expect(skipped).ToContainTextAsync(weak.PublicLine[..40]);
        await Assertions.Expect(skipped.Locator(".skip-reason")).ToContainTextAsync("2048");
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = good.Fingerprint })).ToContainTextAsync($"imported from github:{account}");
        var keys = (await api.GetJsonAsync("/api/users/me/keys")).EnumerateArray().Select(k => k.GetProperty("fingerprint").GetString()).ToList();
        Assert.Equal([good.Fingerprint], keys);
        await Screenshots.SaveAsync(page, "keys-imported");

        await page.GetByLabel("Code host").SelectOptionAsync("GitLab");
        await page.GetByLabel("User name there").FillAsync("nobody-there");
        await page.GetByRole(AriaRole.Button, new() { Name = "Import keys" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("gitlab has no account named nobody-there.");
        await Assertions.Expect(page.GetByLabel("Code host")).ToHaveValueAsync("gitlab");
    }

    [Fact]
    public async Task Adding_and_removing_a_key_work_with_the_keyboard_alone()
    {
        var (page, api) = await SignedInAsNewUserAsync("keyboard-keys");
        await page.GotoAsync("/keys");
        var key = SshKeyFile.Generate(_keys.Path, "typed");

        await Keyboard.TabToAsync(page, page.GetByLabel("Public key"));
        await page.Keyboard.InsertTextAsync(key.PublicLine);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("typed in");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Added key {key.Fingerprint}");

        await Keyboard.TabToAsync(page, page.Locator("summary", new() { HasText = "Remove" }));
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Remove this key" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Removed key");
        Assert.Equal(0, (await api.GetJsonAsync("/api/users/me/keys")).GetArrayLength());

        var account = "kb-" + Guid.NewGuid().ToString("N")[..8];
        var imported = SshKeyFile.Generate(_keys.Path, "kb-imported");
        Web.KeyLists[$"/2.0/users/{account}/ssh-keys"] = JsonSerializer.Serialize(new { values = new[] { new { key = imported.PublicLine } } });
        await Keyboard.TabToAsync(page, page.GetByLabel("Code host"));
        await page.Keyboard.TypeAsync("Bitbucket");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(account);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator(".import-result")).ToContainTextAsync($"Imported from bitbucket:{account}");
        await Assertions.Expect(page.Locator("[data-import=added]")).ToContainTextAsync(imported.Fingerprint);
    }

    private async Task<(IPage Page, ApiClient Api)> SignedInAsNewUserAsync(string prefix)
    {
        using var admin = ApiClient.Admin(Web);
        var (_, token) = await admin.CreateUserAsync(prefix);
        var api = new ApiClient(Web.Address, token);
        _clients.Add(api);
        return (await Web.SignedInPageAsync(token), api);
    }
}
