using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.JobData;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Contexts;

/// <summary>
/// Contexts through the API (dialects.md §A6): server admins create them, set their variables and delete them; anyone
/// signed in lists them and their variables' names (the plain values only for admins); a secret's value never comes
/// back; names are checked, a refusal naming the character that is not allowed (issue 12's "a context name with shell
/// characters").
/// </summary>
public sealed class ContextsApiTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private JobDataServer _server = null!;

    public async Task InitializeAsync() => _server = await JobDataServer.StartAsync(_data.Path);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    private HttpClient Admin => _server.Client;

    [Fact]
    public async Task An_admin_creates_a_context_sets_its_variables_lists_them_without_secrets_and_deletes_it()
    {
        var created = await Admin.PostAsJsonAsync("/api/contexts", new CreateContextRequest("deploy", "admin"), ApiJson.Options);
        await Expect.StatusAsync(created, 201);
        var view = (await created.Content.ReadFromJsonAsync<ContextView>(ApiJson.Options))!;
        Assert.Equal(("deploy", "admin", 0), (view.Name, view.Role, view.Variables));
        Assert.Equal("/api/contexts/deploy", created.Headers.Location?.ToString());

        await Expect.StatusAsync(await Admin.PostAsJsonAsync("/api/contexts", new CreateContextRequest("shared", null), ApiJson.Options), 201);
        await Expect.StatusAsync(await Admin.PutAsJsonAsync("/api/contexts/deploy/env/AWS_SECRET", new SetVariableRequest("s3cr3t-value-42", true), ApiJson.Options), 200);
        await Expect.StatusAsync(await Admin.PutAsJsonAsync("/api/contexts/deploy/env/REGION", new SetVariableRequest("eu-west-1", false), ApiJson.Options), 200);

        var contexts = await Admin.GetFromJsonAsyncOrFail<List<ContextView>>("/api/contexts");
        Assert.Equal([("deploy", "admin", 2), ("shared", "write", 0)], contexts.Select(c => (c.Name, c.Role, c.Variables)));
        var variables = await Admin.GetFromJsonAsyncOrFail<List<VariableView>>("/api/contexts/deploy/env");
        Assert.Equal([("AWS_SECRET", true, null), ("REGION", false, "eu-west-1")], variables.Select(v => (v.Name, v.Secret, v.Value)));
        Assert.DoesNotContain("s3cr3t-value-42", await Admin.GetStringAsync("/api/contexts/deploy/env"), StringComparison.Ordinal);

        // A variable set again takes its new value and kind.
        await Expect.StatusAsync(await Admin.PutAsJsonAsync("/api/contexts/deploy/env/REGION", new SetVariableRequest("us-east-1", true), ApiJson.Options), 200);
        Assert.Contains(("REGION", true, (string?)null), (await Admin.GetFromJsonAsyncOrFail<List<VariableView>>("/api/contexts/deploy/env")).Select(v => (v.Name, v.Secret, v.Value)));

        await Expect.StatusAsync(await Admin.DeleteAsync("/api/contexts/deploy/env/REGION"), 204);
        await Expect.ProblemAsync(await Admin.DeleteAsync("/api/contexts/deploy/env/REGION"), 404, ErrorCodes.NotFound);
        await Expect.StatusAsync(await Admin.DeleteAsync("/api/contexts/deploy"), 204);
        var gone = await Expect.ProblemAsync(await Admin.GetAsync("/api/contexts/deploy"), 404, ContextErrorCodes.ContextNotFound);
        Assert.Equal("There is no context named 'deploy'. A server admin creates it with 'porthole context create deploy'.", gone.GetProperty("detail").GetString());
        await using var db = _server.Db();
        Assert.Empty(db.ContextVariables.ToList());
    }

    [Theory]
    [InlineData("de;ploy", "';' is not allowed")]
    [InlineData("deploy$(id)", "'$' is not allowed")]
    [InlineData("prod  deploy", "it has a space at its end or two in a row")]
    [InlineData("prod\tdeploy", "the character U+0009 is not allowed")]
    [InlineData("a`b`", "'`' is not allowed")]
    [InlineData("it's", "the quote \"'\" is not allowed")]
    [InlineData("x\ny", "the character U+000A is not allowed")]
    [InlineData("-deploy", "it starts with '-'")]
    [InlineData(".hidden", "it starts with '.'")]
    public async Task A_name_with_shell_characters_is_refused_naming_the_character(string name, string reason)
    {
        var problem = await Expect.ProblemAsync(
            await Admin.PostAsJsonAsync("/api/contexts", new CreateContextRequest(name, null), ApiJson.Options), 400, ErrorCodes.InvalidRequest);

        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains($"is not a valid context name: {reason}; use letters, digits, '.', '_', '-' and single spaces between words (at most 100), starting with a letter or digit.", detail, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', detail);
        Assert.Empty(await Admin.GetFromJsonAsyncOrFail<List<ContextView>>("/api/contexts"));
    }

    [Fact]
    public async Task A_name_with_single_spaces_between_words_is_a_context_name_as_in_CircleCI()
    {
        // The corpus's terratest config uses context: Gruntwork Admin (dialects.md §A6).
        var created = await Admin.PostAsJsonAsync("/api/contexts", new CreateContextRequest("Gruntwork Admin", null), ApiJson.Options);
        await Expect.StatusAsync(created, 201);

        var found = await Admin.GetFromJsonAsyncOrFail<ContextView>("/api/contexts/Gruntwork%20Admin");
        Assert.Equal("Gruntwork Admin", found.Name);
    }

    [Fact]
    public async Task A_name_too_long_or_missing_and_a_name_in_the_path_are_checked_too()
    {
        var tooLong = await Expect.ProblemAsync(
            await Admin.PostAsJsonAsync("/api/contexts", new CreateContextRequest(new string('a', 101), null), ApiJson.Options), 400, ErrorCodes.InvalidRequest);
        Assert.Contains("it is 101 characters long", tooLong.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await Expect.ProblemAsync(await Admin.PostAsJsonAsync("/api/contexts", new CreateContextRequest(null, null), ApiJson.Options), 400, ErrorCodes.InvalidRequest);

        var inPath = await Expect.ProblemAsync(
            await Admin.PutAsJsonAsync("/api/contexts/de;ploy/env/X", new SetVariableRequest("1", false), ApiJson.Options), 400, ErrorCodes.InvalidRequest);
        Assert.Contains("';' is not allowed", inPath.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_roles_variable_names_short_secrets_and_a_taken_name_are_refused_and_change_nothing()
    {
        var role = await Expect.ProblemAsync(await Admin.PostAsJsonAsync("/api/contexts", new CreateContextRequest("deploy", "owner"), ApiJson.Options), 400, ErrorCodes.InvalidRequest);
        Assert.Equal("'owner' is not a role: a context asks for read, write or admin.", role.GetProperty("detail").GetString());
        await Expect.StatusAsync(await Admin.PostAsJsonAsync("/api/contexts", new CreateContextRequest("deploy", "read"), ApiJson.Options), 201);
        await Expect.ProblemAsync(await Admin.PostAsJsonAsync("/api/contexts", new CreateContextRequest("deploy", "write"), ApiJson.Options), 409, ContextErrorCodes.ContextExists);

        var name = await Expect.ProblemAsync(await Admin.PutAsJsonAsync("/api/contexts/deploy/env/1BAD", new SetVariableRequest("v", false), ApiJson.Options), 400, ErrorCodes.InvalidRequest);
        Assert.Equal("'1BAD' is not a valid variable name: letters, digits and '_', not starting with a digit.", name.GetProperty("detail").GetString());
        await Expect.ProblemAsync(await Admin.PutAsJsonAsync("/api/contexts/deploy/env/PIN", new SetVariableRequest("abc", true), ApiJson.Options), 400, "secret_too_short");
        await Expect.ProblemAsync(await Admin.PutAsJsonAsync("/api/contexts/deploy/env/V", new SetVariableRequest(new string('x', 65537), false), ApiJson.Options), 400, ErrorCodes.InvalidRequest);
        await Expect.ProblemAsync(await Admin.PutAsJsonAsync("/api/contexts/nope/env/V", new SetVariableRequest("v", false), ApiJson.Options), 404, ContextErrorCodes.ContextNotFound);

        var context = Assert.Single(await Admin.GetFromJsonAsyncOrFail<List<ContextView>>("/api/contexts"));
        Assert.Equal(("deploy", "read", 0), (context.Name, context.Role, context.Variables));
    }

    [Fact]
    public async Task Only_server_admins_change_contexts_and_see_plain_values_and_anyone_signed_in_lists_the_names()
    {
        await Expect.StatusAsync(await Admin.PostAsJsonAsync("/api/contexts", new CreateContextRequest("deploy", null), ApiJson.Options), 201);
        await Expect.StatusAsync(await Admin.PutAsJsonAsync("/api/contexts/deploy/env/TOKEN", new SetVariableRequest("t0ken-value", true), ApiJson.Options), 200);
        await Expect.StatusAsync(await Admin.PutAsJsonAsync("/api/contexts/deploy/env/REGION", new SetVariableRequest("eu-west-1", false), ApiJson.Options), 200);
        using var user = _server.ClientFor(await _server.CreateUserAsync("alice"));

        var create = await Expect.ProblemAsync(await user.PostAsJsonAsync("/api/contexts", new CreateContextRequest("mine", null), ApiJson.Options), 403, ErrorCodes.Forbidden);
        Assert.Equal("Only a server admin can create contexts.", create.GetProperty("detail").GetString());
        await Expect.ProblemAsync(await user.PutAsJsonAsync("/api/contexts/deploy/env/TOKEN", new SetVariableRequest("stolen-value", false), ApiJson.Options), 403, ErrorCodes.Forbidden);
        await Expect.ProblemAsync(await user.DeleteAsync("/api/contexts/deploy/env/TOKEN"), 403, ErrorCodes.Forbidden);
        await Expect.ProblemAsync(await user.DeleteAsync("/api/contexts/deploy"), 403, ErrorCodes.Forbidden);

        Assert.Equal(["deploy"], (await user.GetFromJsonAsyncOrFail<List<ContextView>>("/api/contexts")).Select(c => c.Name));
        var variables = await user.GetFromJsonAsyncOrFail<List<VariableView>>("/api/contexts/deploy/env");
        Assert.Equal([("REGION", false, null), ("TOKEN", true, null)], variables.Select(v => (v.Name, v.Secret, v.Value)));
        using var anonymous = _server.ClientFor(null);
        Assert.Equal(401, (int)(await anonymous.GetAsync("/api/contexts")).StatusCode);
    }
}
