using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Api;
using Porthole.Server.Accounts;
using Porthole.Server.Api;
using Porthole.Data;

namespace Porthole.Server.Projects;

/// <summary>
/// A project's additional SSH keys (§A5 <c>add_ssh_keys</c>): the private keys its jobs may install, kept as its secrets
/// are. Members with write access add, list (fingerprints, never the key) and delete them.
/// </summary>
public static partial class SshKeysApi
{
    public static RouteGroupBuilder MapProjectSshKeysApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/projects/{name}/ssh-keys").RequireAuthorization().WithTags("Projects");
        group.MapPost("/", AddAsync);
        group.MapGet("/", ListAsync);
        group.MapDelete("/", DeleteAsync);
        return group;
    }

    /// <summary>An ssh_config <c>Host</c> pattern of one word: a name, an address or a wildcard (<c>*.example.com</c>), nothing that could end the line.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9*?\[][A-Za-z0-9.*?_:\[\]-]{0,252}$")]
    private static partial Regex HostPattern();

    private static async Task<Results<Created<ProjectSshKeyView>, ProblemHttpResult>> AddAsync(
        string name, AddProjectSshKeyRequest? request, HttpContext http, PortholeDb db, IOptions<PortholeOptions> options, TimeProvider time, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var (project, problem) = await Lookups.ProjectAsync(db, name, user, Roles.Write, "add SSH keys to it", ct);
        if (project is null)
        {
            return problem!;
        }

        if (request?.PrivateKey is not { Length: > 0 } text)
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, "Send the key as {\"private_key\": \"-----BEGIN OPENSSH PRIVATE KEY-----\\n…\", \"host\": \"deploy.example.com\"} (host optional).");
        }

        var host = string.IsNullOrWhiteSpace(request.Host) ? null : request.Host.Trim();
        if (host is not null && !HostPattern().IsMatch(host))
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, $"'{Lookups.Shorten(host)}' is not a host name: one name, address or pattern such as *.example.com (letters, digits, '.', '-', '_', ':', '*', '?').");
        }

        var (key, refusal) = await PrivateKeyReader.ReadAsync(text, options.Value.DataDirectory, ct);
        if (key is null)
        {
            return Problems.BadRequest(ContextErrorCodes.NotAPrivateKey, refusal!);
        }

        if (await db.ProjectSshKeys.AnyAsync(k => k.ProjectId == project.Id && k.Sha256 == key.Sha256, ct))
        {
            return Exists(project, key.Sha256);
        }

        var record = new ProjectSshKeyRecord
        {
            ProjectId = project.Id,
            Md5 = key.Md5,
            Sha256 = key.Sha256,
            Type = key.Public.TypeLabel,
            Bits = key.Public.Bits,
            Host = host,
            PrivateKey = key.PrivateKey,
            PublicKey = key.Public.KeyText,
            AddedBy = user.Id,
            CreatedAt = time.GetUtcNow(),
        };
        db.ProjectSshKeys.Add(record);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return Exists(project, key.Sha256);
        }

        return TypedResults.Created($"/api/projects/{project.Name}/ssh-keys?fingerprint={Uri.EscapeDataString(record.Sha256)}", ViewOf(record));
    }

    private static async Task<Results<Ok<List<ProjectSshKeyView>>, ProblemHttpResult>> ListAsync(string name, HttpContext http, PortholeDb db, CancellationToken ct)
    {
        var (project, problem) = await Lookups.ProjectAsync(db, name, CurrentUser.From(http.User), Roles.Write, "see its SSH keys", ct);
        if (project is null)
        {
            return problem!;
        }

        var keys = await db.ProjectSshKeys.Where(k => k.ProjectId == project.Id).OrderBy(k => k.Id).ToListAsync(ct);
        return TypedResults.Ok(keys.Select(ViewOf).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string name, HttpContext http, PortholeDb db, CancellationToken ct, string? fingerprint = null)
    {
        var (project, problem) = await Lookups.ProjectAsync(db, name, CurrentUser.From(http.User), Roles.Write, "delete its SSH keys", ct);
        if (project is null)
        {
            return problem!;
        }

        if (string.IsNullOrWhiteSpace(fingerprint))
        {
            return Problems.BadRequest(ErrorCodes.InvalidRequest, $"Name the key to delete: DELETE /api/projects/{project.Name}/ssh-keys?fingerprint=SHA256:… or MD5 aa:bb:… (see porthole project ssh-key list {project.Name}).");
        }

        var keys = await db.ProjectSshKeys.Where(k => k.ProjectId == project.Id).ToListAsync(ct);
        var found = keys.FirstOrDefault(k => ProjectSshKeys.Matches(k, fingerprint));
        if (found is null)
        {
            return Problems.NotFound(ContextErrorCodes.SshKeyNotFound, $"Project {project.Name} has no SSH key with fingerprint {Lookups.Shorten(fingerprint.Trim())}.");
        }

        await db.ProjectSshKeys.Where(k => k.Id == found.Id).ExecuteDeleteAsync(ct);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult Exists(Project project, string sha256) =>
        Problems.Conflict(ContextErrorCodes.SshKeyExists, $"Project {project.Name} already has the SSH key {sha256}.");

    private static ProjectSshKeyView ViewOf(ProjectSshKeyRecord key) => new(key.Md5, key.Sha256, key.Type, key.Bits, key.Host, key.CreatedAt);
}
