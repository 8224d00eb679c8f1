using System.CommandLine;
using System.Globalization;
using Porthole.Cli.Client;
using Porthole.Cli.Output;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Commands;

/// <summary><c>porthole runners</c>: the registered runners, their labels, capacity, load and when each was last heard from (issue 14).</summary>
internal static class RunnersCommand
{
    public static Command Create(CliContext context)
    {
        var json = CommonOptions.Json();
        var command = new Command("runners", "List the runners: name, version, labels, capacity, nodes running, last heartbeat, SSH address") { json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var client = PortholeClient.FromLogin(context);
            var answer = await client.GetAsync(PortholeClient.Path("runners"), cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            var runners = client.Read<List<RunnerView>>(answer);
            if (runners.Count == 0)
            {
                await context.Output.WriteLineAsync("no runners registered");
                return ExitCodes.Success;
            }

            var table = new Table("NAME", "VERSION", "LABELS", "CAPACITY", "RUNNING", "LAST HEARTBEAT", "ADDRESS");
            foreach (var runner in runners)
            {
                table.Add(
                    Format.Text(runner.BuiltIn ? runner.Name + " (built-in)" : runner.Name),
                    Format.Text(runner.Version),
                    Format.List(runner.Labels),
                    runner.Capacity.ToString(CultureInfo.InvariantCulture),
                    runner.NodesRunning.ToString(CultureInfo.InvariantCulture),
                    Format.Time(runner.LastHeartbeatAt),
                    Format.Text(runner.Address));
            }

            table.WriteTo(context.Output);
            return ExitCodes.Success;
        });
        return command;
    }
}
