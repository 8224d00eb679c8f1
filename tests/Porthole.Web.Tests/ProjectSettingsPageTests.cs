using System.Text.Json;
using Microsoft.Playwright;
using Porthole.Web.Tests.Support;

namespace Porthole.Web.Tests;

/// <summary>A project's settings page (R-AC-2, R-AC-3): for its admins, with the API's rules; others see why not.</summary>
public sealed class ProjectSettingsPageTests(WebFixture web) : WebTest(web)
{
    [Fact]
    public async Task A_project_admin_switches_the_ssh_settings_and_the_api_sees_them()
    {
        using var admin = ApiClient.Admin(Web);
        var (_, ownerToken) = await admin.CreateUserAsync("owner");
        using var owner = new ApiClient(Web.Address, ownerToken);
        var project = await owner.CreateProjectAsync("settings");
        var page = await Web.SignedInPageAsync(ownerToken);

        await page.GotoAsync($"/projects/{project}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Project settings" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Uri(Web.Address, $"/projects/{project}/settings").ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"Settings of {project}");
        var debugEnabled = page.GetByLabel("Debug mode enabled");
        await Assertions.Expect(debugEnabled).ToBeCheckedAsync();
        await Assertions.Expect(page.GetByLabel("Nobody: the requester only")).ToBeCheckedAsync();
        await Assertions.Expect(page.GetByLabel("Retry jobs whose runner was lost")).Not.ToBeCheckedAsync();
        var recording = page.GetByLabel("Record SSH and debug sessions");
        await Assertions.Expect(recording).ToBeCheckedAsync();
        await Assertions.Expect(page.GetByText("Anyone with a debug run's ssh command gets in, whatever their key")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "project-settings", narrowToo: true);

        await debugEnabled.UncheckAsync();
        await page.GetByLabel("All write members, with their own keys").CheckAsync();
        await recording.UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved: debug mode off");
        await Assertions.Expect(debugEnabled).Not.ToBeCheckedAsync();
        var settings = await owner.GetJsonAsync($"/api/projects/{project}");
        Assert.False(settings.GetProperty("debug_enabled").GetBoolean());
        Assert.True(settings.GetProperty("ssh_write_members").GetBoolean());
        Assert.False(settings.GetProperty("debug_open_access").GetBoolean());
        Assert.False(settings.GetProperty("retry_lost_nodes").GetBoolean());
        Assert.False(settings.GetProperty("session_recording").GetBoolean());
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("SSH and debug sessions not recorded");
        await Assertions.Expect(recording).Not.ToBeCheckedAsync();

        await debugEnabled.CheckAsync();
        await recording.CheckAsync();
        await page.GetByLabel("Open access to debug runs").CheckAsync();
        await page.GetByLabel("Retry jobs whose runner was lost").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved: debug mode enabled");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("a job whose runner was lost is retried once");
        await Assertions.Expect(page.GetByLabel("Retry jobs whose runner was lost")).ToBeCheckedAsync();
        settings = await owner.GetJsonAsync($"/api/projects/{project}");
        Assert.True(settings.GetProperty("debug_enabled").GetBoolean());
        Assert.True(settings.GetProperty("debug_open_access").GetBoolean());
        Assert.True(settings.GetProperty("retry_lost_nodes").GetBoolean());
        Assert.True(settings.GetProperty("session_recording").GetBoolean());
    }

    [Fact]
    public async Task The_notification_webhook_is_shown_by_its_address_once_set()
    {
        using var admin = ApiClient.Admin(Web);
        var (_, ownerToken) = await admin.CreateUserAsync("owner");
        using var owner = new ApiClient(Web.Address, ownerToken);
        var project = await owner.CreateProjectAsync("notify");
        var page = await Web.SignedInPageAsync(ownerToken);
        await page.GotoAsync($"/projects/{project}/settings");
        var section = page.GetByRole(AriaRole.Region, new() { Name = "Notifications" });
        await Assertions.Expect(section).ToContainTextAsync("No notification webhook");

        await owner.PutJsonAsync($"/api/projects/{project}/notifications", new { url = "https://hooks.example.com/porthole" });
        await page.ReloadAsync();
        await Assertions.Expect(section).ToContainTextAsync("posted, signed with the webhook's secret, to https://hooks.example.com/porthole");
    }

    [Fact]
    public async Task Members_are_added_changed_and_removed_by_the_apis_rules()
    {
        using var admin = ApiClient.Admin(Web);
        var (ownerName, ownerToken) = await admin.CreateUserAsync("owner");
        var (memberName, _) = await admin.CreateUserAsync("member");
        using var owner = new ApiClient(Web.Address, ownerToken);
        var project = await owner.CreateProjectAsync("members");
        var page = await Web.SignedInPageAsync(ownerToken);
        await page.GotoAsync($"/projects/{project}/settings");

        await page.GetByLabel("User name").FillAsync(memberName);
        await page.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync("read");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add member" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"{memberName} now has read access to project {project}.");
        Assert.Equal("read", await RoleInApiAsync(owner, project, memberName));
        await Assertions.Expect(page.GetByLabel($"Role of {memberName}")).ToHaveValueAsync("read");
        await Screenshots.SaveAsync(page, "project-settings-members");

        await page.GetByLabel($"Role of {memberName}").SelectOptionAsync("write");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Change the role of {memberName}" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"{memberName} now has write access to project {project}.");
        Assert.Equal("write", await RoleInApiAsync(owner, project, memberName));

        await page.GetByLabel($"Role of {ownerName}").SelectOptionAsync("read");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Change the role of {ownerName}" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(
            $"{ownerName} is the last admin of project {project}, and a project needs one: give another member the admin role first.");
        Assert.Equal("admin", await RoleInApiAsync(owner, project, ownerName));

        await page.GetByLabel("User name").FillAsync("nobody-by-that-name");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add member" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("There is no user named nobody-by-that-name.");

        var row = page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = memberName }) });
        await row.Locator("summary").ClickAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = $"Yes, remove {memberName}" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"{memberName} is no longer a member of project {project}.");
        Assert.Null(await RoleInApiAsync(owner, project, memberName));
        await Assertions.Expect(page.GetByRole(AriaRole.Rowheader, new() { Name = memberName })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_member_who_is_not_an_admin_gets_the_403_page_with_the_reason()
    {
        using var admin = ApiClient.Admin(Web);
        var (_, ownerToken) = await admin.CreateUserAsync("owner");
        var (writerName, writerToken) = await admin.CreateUserAsync("writer");
        using var owner = new ApiClient(Web.Address, ownerToken);
        var project = await owner.CreateProjectAsync("forbidden");
        await owner.PutJsonAsync($"/api/projects/{project}/members/{writerName}", new { role = "write" });
        var page = await Web.SignedInPageAsync(writerToken);

        var response = await page.GotoAsync($"/projects/{project}/settings");

        Assert.Equal(403, response!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Not allowed");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync(
            $"You have write access to project {project}; to change its settings you need admin access. Ask a project admin.");
        await Screenshots.SaveAsync(page, "project-settings-forbidden");

        await page.GotoAsync($"/projects/{project}");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Project settings" })).ToHaveCountAsync(0);
        Assert.True((await owner.GetJsonAsync($"/api/projects/{project}")).GetProperty("debug_enabled").GetBoolean());
    }

    [Fact]
    public async Task The_settings_and_member_forms_work_with_the_keyboard_alone()
    {
        using var admin = ApiClient.Admin(Web);
        var (_, ownerToken) = await admin.CreateUserAsync("owner");
        var (memberName, _) = await admin.CreateUserAsync("typed-member");
        using var owner = new ApiClient(Web.Address, ownerToken);
        var project = await owner.CreateProjectAsync("keyboard");
        var page = await Web.SignedInPageAsync(ownerToken);
        await page.GotoAsync($"/projects/{project}/settings");

        await Keyboard.TabToAsync(page, page.GetByLabel("Debug mode enabled"));
        await page.Keyboard.PressAsync("Space");
        await Keyboard.TabToAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved: debug mode off");
        Assert.False((await owner.GetJsonAsync($"/api/projects/{project}")).GetProperty("debug_enabled").GetBoolean());

        await Keyboard.TabToAsync(page, page.GetByLabel("User name"));
        await page.Keyboard.TypeAsync(memberName);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("write");
        await Keyboard.TabToAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Add member" }));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"{memberName} now has write access to project {project}.");
        Assert.Equal("write", await RoleInApiAsync(owner, project, memberName));

        await Keyboard.TabToAsync(page, page.Locator("summary", new() { HasText = $"Remove member {memberName}" }));
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Yes, remove {memberName}" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"{memberName} is no longer a member of project {project}.");
    }

    private static async Task<string?> RoleInApiAsync(ApiClient api, string project, string user)
    {
        var members = await api.GetJsonAsync($"/api/projects/{project}/members");
        return members.EnumerateArray().Where(m => m.GetProperty("user").GetString() == user)
            .Select(m => m.GetProperty("role").GetString()).SingleOrDefault();
    }
}
