using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Porthole.Server.Accounts;
using Porthole.Data;
using Porthole.Server.Pipelines;
using Porthole.Server.Projects;

namespace Porthole.Server.Demo;

/// <summary>
/// <c>porthole server --demo</c>: a real git repository with a CircleCI workflow of three jobs (one with
/// parallelism 2, one that fails on purpose), a project for it, and a pipeline triggered at once.
/// </summary>
public static class DemoProject
{
    public const string Name = "demo";

    public const string Config = """
        version: 2.1

        jobs:
          build:
            steps:
              - checkout
              - run:
                  name: Build
                  command: |
                    echo "Building $CIRCLE_PROJECT_REPONAME at ${CIRCLE_SHA1:0:12} on $CIRCLE_BRANCH"
                    mkdir -p out && date -u > out/built-at
                    printf '\e[32mbuild ok\e[0m\n'
          test:
            parallelism: 2
            steps:
              - checkout
              - run:
                  name: Test (one half per node)
                  command: |
                    echo "node $CIRCLE_NODE_INDEX of $CIRCLE_NODE_TOTAL"
                    for i in 1 2 3 4 5; do echo "test $((CIRCLE_NODE_INDEX * 5 + i)) passed"; sleep 1; done
          lint:
            steps:
              - checkout
              - run:
                  name: Lint (fails on purpose)
                  command: |
                    echo "lint: scripts/release.sh:3: quote this variable" >&2
                    exit 1
              - run:
                  name: Collect the lint report
                  when: on_fail
                  command: |
                    echo "the lint job failed on purpose; rerun it with: porthole rerun $CIRCLE_BUILD_NUM"

        workflows:
          demo:
            jobs:
              - build
              - test:
                  requires: [build]
              - lint:
                  requires: [build]
        """;

    public static async Task StartAsync(WebApplication app, ServerHostOptions host, CancellationToken ct)
    {
        var options = app.Services.GetRequiredService<IOptions<PortholeOptions>>().Value;
        var repository = options.DemoRepositoryDirectory;
        await CreateRepositoryAsync(repository, ct);

        var factory = app.Services.GetRequiredService<IDbContextFactory<PortholeDb>>();
        await using var db = await factory.CreateDbContextAsync(ct);
        var admin = await db.Users.FirstAsync(u => u.IsAdmin, ct);
        var project = await db.Projects.SingleOrDefaultAsync(p => p.Name == Name, ct);
        if (project is null)
        {
            project = new Project { Name = Name, Repository = repository, Visibility = "private", DebugEnabled = true, CreatedAt = TimeProvider.System.GetUtcNow() };
            db.Projects.Add(project);
            await db.SaveChangesAsync(ct);
            db.Memberships.Add(new Membership { ProjectId = project.Id, UserId = admin.Id, Role = Roles.Admin });
            await db.SaveChangesAsync(ct);
        }

        var trigger = app.Services.GetRequiredService<PipelineTrigger>();
        var (pipeline, refusal) = await trigger.TriggerAsync(db, project, "main", null, admin.Id, ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? host.Urls;
        var tokenFile = Path.Combine(options.DataDirectory, AdminBootstrap.TokenFileName);
        var cli = Environment.GetEnvironmentVariable("PORTHOLE_CLI_HINT") ?? "porthole";
        if (pipeline is null)
        {
            await Console.Error.WriteLineAsync($"error: the demo pipeline was not triggered: {refusal!.Detail}");
            return;
        }

        var jobs = await db.Jobs.Where(j => j.PipelineId == pipeline.Id).OrderBy(j => j.Id).ToListAsync(ct);
        var test = jobs.FirstOrDefault(j => j.Name == "test") ?? jobs[0];
        Console.WriteLine($"""

            Porthole is running at {address}
            The admin token is in {tokenFile} (mode 600); it is not printed.
            The web: open {address}/jobs/{test.Id} and sign in with that token.
            Demo project '{Name}' ({repository}): pipeline {pipeline.Id} (#{pipeline.Number}) with {string.Join(", ", jobs.Select(j => $"job {j.Id} {j.Name}"))}.

            Follow it from another terminal:
              {cli} login --server {address} --token "$(cat {tokenFile})"
              {cli} jobs {pipeline.Id}
              {cli} logs {test.Id} --node 1 -f
              {cli} rerun {jobs.Last().Id}
              curl -s -H "Authorization: token $(cat {tokenFile})" {address}/api/pipelines/{pipeline.Id}

            Stop the server with Ctrl-C.
            """);
    }

    private static async Task CreateRepositoryAsync(string path, CancellationToken ct)
    {
        if (Directory.Exists(Path.Combine(path, ".git")))
        {
            return;
        }

        Directory.CreateDirectory(Path.Combine(path, ".circleci"));
        await File.WriteAllTextAsync(Path.Combine(path, ".circleci", "config.yml"), Config + "\n", ct);
        await File.WriteAllTextAsync(Path.Combine(path, "README.md"), "# demo\n\nA repository Porthole made for its demo.\n", ct);
        foreach (var step in new[]
        {
            new[] { "init", "--quiet", "--initial-branch=main" },
            ["add", "."],
            ["-c", "user.name=Porthole", "-c", "user.email=porthole@localhost", "commit", "--quiet", "-m", "Demo project"],
        })
        {
            var result = await Git.RunAsync(path, step, ct);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"cannot create the demo repository: {Git.Describe(result)}");
            }
        }
    }
}
