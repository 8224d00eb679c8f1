using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>A project's members through the API (R-AC-2): who sees the list, who may remove, and the last admin stays.</summary>
public sealed class MembersApiTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync(_data.Path);

        // Members are about access only: no pipeline runs, so the repository need not exist.
        await _server.AddProjectAsync("app", "/nonexistent/app");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Members_and_administrators_see_the_members_and_their_roles()
    {
        using var reader = await MemberAsync("reader", "read");
        using var writer = await MemberAsync("writer", "write");
        using var stranger = _server.ClientFor(await _server.CreateUserAsync("stranger"));
        (string User, string Role)[] expected = [("admin", "admin"), ("reader", "read"), ("writer", "write")];

        foreach (var client in (HttpClient[])[_server.Client, reader, writer])
        {
            var members = await client.GetFromJsonAsyncOrFail<List<MemberView>>("/api/projects/app/members");
            Assert.Equal(expected, members.Select(m => (m.User, m.Role)));
        }

        // A private project is invisible to others; a public one is readable, but its members are the members' business.
        await Expect.ProblemAsync(await stranger.GetAsync("/api/projects/app/members"), 404, ErrorCodes.ProjectNotFound);
        await _server.AddProjectAsync("open", "/nonexistent/open", "public");
        await Expect.StatusAsync(await stranger.GetAsync("/api/projects/open"), 200);
        var problem = await Expect.ProblemAsync(await stranger.GetAsync("/api/projects/open/members"), 403, ErrorCodes.Forbidden);
        Assert.Contains("only its members", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await Expect.ProblemAsync(await _server.Client.GetAsync("/api/projects/nope/members"), 404, ErrorCodes.ProjectNotFound);
    }

    [Fact]
    public async Task A_project_admin_removes_a_member_who_then_loses_access()
    {
        using var reader = await MemberAsync("reader", "read");
        using var writer = await MemberAsync("writer", "write");
        using var lead = await MemberAsync("lead", "admin");

        foreach (var notAdmin in (HttpClient[])[reader, writer])
        {
            var forbidden = await Expect.ProblemAsync(await notAdmin.DeleteAsync("/api/projects/app/members/reader"), 403, ErrorCodes.Forbidden);
            Assert.Contains("admin access", forbidden.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        await Expect.StatusAsync(await lead.DeleteAsync("/api/projects/app/members/reader"), 204);
        await Expect.ProblemAsync(await reader.GetAsync("/api/projects/app"), 404, ErrorCodes.ProjectNotFound);
        Assert.DoesNotContain(
            "reader",
            (await lead.GetFromJsonAsyncOrFail<List<MemberView>>("/api/projects/app/members")).Select(m => m.User));

        var again = await Expect.ProblemAsync(await lead.DeleteAsync("/api/projects/app/members/reader"), 404, ErrorCodes.NotFound);
        Assert.Contains("not a member", again.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var nobody = await Expect.ProblemAsync(await lead.DeleteAsync("/api/projects/app/members/nobody"), 404, ErrorCodes.NotFound);
        Assert.Contains("no user named nobody", nobody.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await Expect.ProblemAsync(await lead.DeleteAsync("/api/projects/nope/members/writer"), 404, ErrorCodes.ProjectNotFound);

        // An admin may remove another admin, or themselves, while one is left.
        await Expect.StatusAsync(await lead.DeleteAsync("/api/projects/app/members/admin"), 204);
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/members/writer", new { role = "admin" }), 204);
        await Expect.StatusAsync(await lead.DeleteAsync("/api/projects/app/members/lead"), 204);
        await Expect.ProblemAsync(await lead.GetAsync("/api/projects/app"), 404, ErrorCodes.ProjectNotFound);
    }

    [Fact]
    public async Task The_last_admin_can_be_neither_removed_nor_demoted()
    {
        using var alice = _server.ClientFor(await _server.CreateUserAsync("alice"));
        await _server.CreateUserAsync("bob");
        var created = await alice.PostAsJsonAsync("/api/projects", new CreateProjectRequest("alices", "https://git.example.com/alice/alices.git", null), ApiJson.Options);
        await Expect.StatusAsync(created, 201);

        var removal = await Expect.ProblemAsync(await alice.DeleteAsync("/api/projects/alices/members/alice"), 409, ErrorCodes.LastAdmin);
        Assert.Contains("last admin of project alices", removal.GetProperty("detail").GetString(), StringComparison.Ordinal);
        foreach (var role in (string[])["write", "read", "none"])
        {
            await Expect.ProblemAsync(await alice.PutAsJsonAsync("/api/projects/alices/members/alice", new { role }), 409, ErrorCodes.LastAdmin);
        }

        // A server administrator may manage any project, but not leave one without an admin either.
        await Expect.ProblemAsync(await _server.Client.DeleteAsync("/api/projects/alices/members/alice"), 409, ErrorCodes.LastAdmin);

        await Expect.StatusAsync(await alice.PutAsJsonAsync("/api/projects/alices/members/bob", new { role = "admin" }), 204);
        await Expect.StatusAsync(await alice.PutAsJsonAsync("/api/projects/alices/members/alice", new { role = "write" }), 204);
        await Expect.ProblemAsync(await _server.Client.DeleteAsync("/api/projects/alices/members/bob"), 409, ErrorCodes.LastAdmin);
        Assert.Equal(
            [("alice", "write"), ("bob", "admin")],
            (await alice.GetFromJsonAsyncOrFail<List<MemberView>>("/api/projects/alices/members")).Select(m => (m.User, m.Role)));
    }

    [Fact]
    public async Task Two_admins_leaving_at_once_leave_one_admin()
    {
        using var first = await MemberAsync("first", "admin");
        using var second = await MemberAsync("second", "admin");
        await Expect.StatusAsync(await _server.Client.DeleteAsync("/api/projects/app/members/admin"), 204);

        // Each round both try to leave at the same moment; the server administrator then makes both admins again.
        for (var round = 0; round < 20; round++)
        {
            var answers = await Task.WhenAll(first.DeleteAsync("/api/projects/app/members/first"), second.DeleteAsync("/api/projects/app/members/second"));

            Assert.Equal([204, 409], answers.Select(a => (int)a.StatusCode).Order());
            await Expect.ProblemAsync(answers.Single(a => (int)a.StatusCode == 409), 409, ErrorCodes.LastAdmin);
            var members = await _server.Client.GetFromJsonAsyncOrFail<List<MemberView>>("/api/projects/app/members");
            Assert.Equal("admin", Assert.Single(members).Role);
            foreach (var name in (string[])["first", "second"])
            {
                await Expect.StatusAsync(await _server.Client.PutAsJsonAsync($"/api/projects/app/members/{name}", new { role = "admin" }), 204);
            }
        }
    }

    [Theory]
    [InlineData("{}", 400, ErrorCodes.InvalidRequest)]
    [InlineData("{\"role\": \"owner\"}", 400, ErrorCodes.InvalidRequest)]
    [InlineData("{\"role\": 3}", 400, ErrorCodes.InvalidRequest)]
    [InlineData("{not json", 400, ErrorCodes.InvalidRequest)]
    public async Task Setting_a_role_checks_the_role(string body, int status, string code)
    {
        await _server.CreateUserAsync("frank");
        var response = await _server.Client.PutAsync("/api/projects/app/members/frank", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        await Expect.ProblemAsync(response, status, code);
    }

    [Fact]
    public async Task Setting_a_role_of_an_unknown_user_is_not_found()
    {
        await Expect.ProblemAsync(await _server.Client.PutAsJsonAsync("/api/projects/app/members/nobody", new { role = "read" }), 404, ErrorCodes.NotFound);
    }

    private async Task<HttpClient> MemberAsync(string name, string role)
    {
        var client = _server.ClientFor(await _server.CreateUserAsync(name));
        await Expect.StatusAsync(await _server.Client.PutAsJsonAsync($"/api/projects/app/members/{name}", new { role }), 204);
        return client;
    }
}
