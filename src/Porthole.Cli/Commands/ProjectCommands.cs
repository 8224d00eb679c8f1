using System.CommandLine;
using Porthole.Cli.Client;
using Porthole.Cli.Output;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Commands;

/// <summary><c>porthole project add</c>, <c>porthole project settings</c>, <c>porthole project members</c>, <c>porthole project images</c> and <c>porthole projects</c>.</summary>
internal static class ProjectCommands
{
    public static IEnumerable<Command> Create(CliContext context)
    {
        var project = new Command("project", "Manage a project");
        project.Subcommands.Add(Add(context));
        project.Subcommands.Add(ProjectSettingsCommand.Create(context));
        project.Subcommands.Add(ProjectMembersCommand.Create(context));
        project.Subcommands.Add(HookCommand.Create(context));
        project.Subcommands.Add(ProjectNotificationsCommand.Create(context));
        project.Subcommands.Add(ProjectSshKeysCommand.Create(context));
        project.Subcommands.Add(ProjectImagesCommand.Create(context));
        yield return project;
        yield return List(context);
    }

    private static Command Add(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The project's name, used in every later command" };
        var repository = new Argument<string>("repo") { Description = "The git repository: a URL git can clone (https://…, ssh://…, git@host:path); a path on the server for server admins, or under the server's LocalRepositoryRoots" };
        var visibility = new Option<string>("--visibility") { Description = "Who may read it: private (members only, the default) or public (anyone signed in)" };
        visibility.AcceptOnlyFromAmong("private", "public");
        var command = new Command("add", "Add a project") { name, repository, visibility };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = PortholeClient.FromLogin(context);
            var request = new CreateProjectRequest(parseResult.GetRequiredValue(name), parseResult.GetRequiredValue(repository), parseResult.GetValue(visibility));
            var created = client.Read<ProjectView>(await client.SendAsync(HttpMethod.Post, PortholeClient.Path("projects"), request, cancellationToken));
            await context.Output.WriteLineAsync($"project {created.Name} added ({created.Visibility}): {created.Repository}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var json = CommonOptions.Json();
        var command = new Command("projects", "List the projects you can see") { json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = PortholeClient.FromLogin(context);
            var answer = await client.GetAsync(PortholeClient.Path("projects"), cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            var projects = client.Read<List<ProjectView>>(answer);
            if (projects.Count == 0)
            {
                await context.Output.WriteLineAsync($"no projects yet: add one with {context.CommandName} project add NAME REPO");
                return ExitCodes.Success;
            }

            var table = new Table("PROJECT", "VISIBILITY", "CREATED", "REPOSITORY");
            foreach (var p in projects)
            {
                table.Add(p.Name, p.Visibility, Format.Time(p.CreatedAt), p.Repository);
            }

            table.WriteTo(context.Output);
            return ExitCodes.Success;
        });
        return command;
    }
}
