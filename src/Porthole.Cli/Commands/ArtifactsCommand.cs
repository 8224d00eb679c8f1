using System.CommandLine;
using System.Globalization;
using Porthole.Cli.Client;
using Porthole.Cli.Output;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Commands;

/// <summary>
/// <c>porthole artifacts JOB</c>: the files a job's <c>store_artifacts</c> steps stored (path, node, size, download
/// address), or with <c>--download DIR</c> the files themselves, each to <c>DIR/&lt;node index&gt;/&lt;path&gt;</c>.
/// </summary>
internal static class ArtifactsCommand
{
    public static Command Create(CliContext context)
    {
        var jobId = CommonOptions.JobId();
        var attempt = CommonOptions.Attempt();
        var download = new Option<string>("--download", "-d")
        {
            Description = "Download every artifact to DIR/<node index>/<path> (DIR/0/<path> for a job without parallelism), "
                + "creating the folders; a file already there is replaced; a path that would lead out of DIR is refused",
            HelpName = "DIR",
        };
        var json = CommonOptions.Json();
        var command = new Command("artifacts", "List a job's artifacts, or download them with --download DIR") { jobId, attempt, download, json };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var id = parseResult.GetRequiredValue(jobId);
            var attemptNumber = CommonOptions.CheckAttempt(parseResult.GetValue(attempt));
            var folder = parseResult.GetValue(download);
            if (folder is not null && parseResult.GetValue(json))
            {
                throw CliException.Usage("--json prints the list; it cannot be combined with --download");
            }

            if (folder is { Length: 0 })
            {
                throw CliException.Usage("--download needs a folder, as in --download ./artifacts");
            }

            using var client = PortholeClient.FromLogin(context);
            var answer = await client.GetAsync(PortholeClient.Path("jobs", id, "artifacts") + CommonOptions.AttemptQuery(attemptNumber), cancellationToken);
            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            var artifacts = client.Read<ArtifactList>(answer).Items ?? [];
            if (artifacts.Count == 0)
            {
                await context.Output.WriteLineAsync("No artifacts.");
                return ExitCodes.Success;
            }

            if (folder is null)
            {
                var table = new Table("PATH", "NODE", "SIZE", "URL");
                foreach (var artifact in artifacts)
                {
                    table.Add(
                        DownloadFolder.Shown(artifact.Path),
                        artifact.NodeIndex.ToString(CultureInfo.InvariantCulture),
                        Format.Size(artifact.Size),
                        AbsoluteUrl(client.Server, artifact)?.AbsoluteUri ?? DownloadFolder.Shown(artifact.Url ?? "-"));
                }

                table.WriteTo(context.Output);
                return ExitCodes.Success;
            }

            await DownloadAsync(context, client, new DownloadFolder(folder), artifacts, cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Checks every artifact's place and address before the first byte is written, then downloads them one by one.</summary>
    private static async Task DownloadAsync(
        CliContext context, PortholeClient client, DownloadFolder folder, IReadOnlyList<ArtifactView> artifacts, CancellationToken cancellationToken)
    {
        var urls = new List<Uri>(artifacts.Count);
        foreach (var artifact in artifacts)
        {
            folder.Place(artifact.NodeIndex, artifact.Path);
            urls.Add(SameServerUrl(client.Server, artifact));
        }

        var downloader = new ArtifactDownloader(client, folder);
        long total = 0;
        for (var i = 0; i < artifacts.Count; i++)
        {
            var written = await downloader.DownloadAsync(artifacts[i], urls[i], cancellationToken);
            total += artifacts[i].Size;
            await context.Output.WriteLineAsync($"{Path.Join(folder.Display, Path.GetRelativePath(folder.Root, written))} ({Format.Size(artifacts[i].Size)})");
        }

        var files = artifacts.Count == 1 ? "1 file" : $"{artifacts.Count} files";
        await context.Output.WriteLineAsync($"{files}, {Format.Size(total)}, in {folder.Display}");
    }

    /// <summary>The artifact's address made absolute against the server's (the API gives a path such as <c>/api/jobs/12/artifacts/0/a.txt</c>).</summary>
    private static Uri? AbsoluteUrl(ServerAddress server, ArtifactView artifact) =>
        !string.IsNullOrEmpty(artifact.Url) && Uri.TryCreate(server.BaseUri, artifact.Url, out var url) && url.Scheme is "http" or "https" ? url : null;

    /// <summary>The address to download from; refused unless it is on the server logged in to, which is the only one the token is sent to.</summary>
    private static Uri SameServerUrl(ServerAddress server, ArtifactView artifact)
    {
        var url = AbsoluteUrl(server, artifact);
        if (url is null || Uri.Compare(url, server.BaseUri, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) != 0)
        {
            throw new CliException(
                $"artifact '{DownloadFolder.Shown(artifact.Path)}' of node {artifact.NodeIndex} is listed at '{DownloadFolder.Shown(artifact.Url ?? "")}', "
                + $"not on {server.Display}: refused (your token is sent to that server only); nothing was downloaded");
        }

        return url;
    }
}
