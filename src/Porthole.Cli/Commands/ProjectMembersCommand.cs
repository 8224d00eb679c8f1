using System.CommandLine;
using Porthole.Cli.Client;
using Porthole.Cli.Output;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Commands;

/// <summary><c>porthole project members</c>: lists a project's members and roles, or removes one with <c>--remove</c> (R-AC-2).</summary>
internal static class ProjectMembersCommand
{
    public static Command Create(CliContext context)
    {
        var project = CommonOptions.Project();
        var remove = new Option<string>("--remove") { Description = "Remove this user from the project (project admins; the last admin stays)", HelpName = "user" };
        var json = CommonOptions.Json();
        var command = new Command("members", "List a project's members and their roles, or remove one with --remove") { project, remove, json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var name = parseResult.GetRequiredValue(project);
            var user = parseResult.GetValue(remove);
            if (user is not null && string.IsNullOrWhiteSpace(user))
            {
                throw CliException.Usage("--remove needs the name of the user to remove");
            }

            using var client = PortholeClient.FromLogin(context);
            if (user is not null)
            {
                await client.SendAsync(HttpMethod.Delete, PortholeClient.Path("projects", name, "members", user.Trim()), body: null, cancellationToken);
                await context.Output.WriteLineAsync($"removed {OneLine.Of(user)} from project {name}");
                return ExitCodes.Success;
            }

            var answer = await client.GetAsync(PortholeClient.Path("projects", name, "members"), cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            var members = client.Read<List<MemberView>>(answer);
            if (members.Count == 0)
            {
                await context.Output.WriteLineAsync($"project {name} has no members");
                return ExitCodes.Success;
            }

            var table = new Table("USER", "ROLE");
            foreach (var member in members)
            {
                table.Add(member.User, member.Role);
            }

            table.WriteTo(context.Output);
            return ExitCodes.Success;
        });
        return command;
    }
}
