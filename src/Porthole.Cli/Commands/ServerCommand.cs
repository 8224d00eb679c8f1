using System.CommandLine;
using Porthole.Cli.Hosting;
using Porthole.Server;

namespace Porthole.Cli.Commands;

/// <summary>
/// <c>porthole server</c>: runs the Porthole server (API, web, scheduler) and its built-in runner in this process;
/// <c>--no-builtin-runner</c> leaves every job to remote runners.
/// </summary>
internal static class ServerCommand
{
    public const string DefaultData = "./data";
    public const string DefaultUrls = "http://127.0.0.1:8080";

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = $"The data folder (database, logs, keys); default {DefaultData}" };
        var urls = new Option<string>("--urls") { Description = $"Where to listen; default {DefaultUrls}" };
        var demo = new Option<bool>("--demo") { Description = "Start with a demo user, project and pipeline" };
        var advertise = new Option<string>("--ssh-advertise-host") { Description = "The host printed in SSH commands (ssh -p PORT user@HOST); default 127.0.0.1" };
        var noRunner = new Option<bool>("--no-builtin-runner") { Description = "Run no jobs in this process: leave them to remote runners" };
        var database = new Option<string>("--db")
        {
            Description = "A PostgreSQL database: \"Host=…;Database=…;Username=…\" or postgres://USER:PASSWORD@HOST:PORT/DATABASE; default SQLite in the data folder",
        };
        var command = new Command("server", "Run the Porthole server") { data, urls, demo, advertise, noRunner, database };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var settings = new Dictionary<string, string?>();
            if (parseResult.GetValue(advertise) is { } host)
            {
                settings["Ssh:AdvertiseHost"] = host;
            }

            if (parseResult.GetValue(database) is { } db)
            {
                settings["Porthole:Database"] = db;
            }

            var options = new ServerHostOptions(parseResult.GetValue(data) ?? DefaultData, parseResult.GetValue(urls) ?? DefaultUrls, parseResult.GetValue(demo), settings);

            // The embedded default (R-SC-1): the server runs its jobs with the built-in runner in this process, unless
            // they are left to remote runners (issue 14).
            var runner = parseResult.GetValue(noRunner) ? (_ => { }) : EmbeddedServer.BuiltInRunner(options.DataDirectory);
            return ServerHost.RunAsync(options, runner, cancellationToken);
        });
        return command;
    }
}
