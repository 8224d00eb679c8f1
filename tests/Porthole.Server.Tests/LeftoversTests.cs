using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>R-SSH-9: what a crashed runner left running is ended at its next start, by the tag its processes carry.</summary>
public sealed class LeftoversTests
{
    [Fact]
    public async Task The_next_start_ends_a_crashed_nodes_processes_and_removes_its_workspace()
    {
        using var data = new TempFolder();
        var workspace = Path.Combine(data.Path, "workspaces", "77");
        Directory.CreateDirectory(workspace);
        await File.WriteAllTextAsync(Path.Combine(workspace, "left.txt"), "left behind");
        Directory.CreateDirectory(Path.Combine(data.Path, "runner"));
        const string tag = "builtin:crashed/node-77";
        await File.WriteAllLinesAsync(Path.Combine(data.Path, "runner", "77.node"), [tag, workspace]);

        var start = new ProcessStartInfo("/usr/bin/setsid") { ArgumentList = { "sleep", "300" } };
        start.Environment["PORTHOLE_NODE_TAG"] = tag;
        using var leftover = Process.Start(start)!;
        var bystander = new ProcessStartInfo("/usr/bin/setsid") { ArgumentList = { "sleep", "300" } };
        bystander.Environment["PORTHOLE_NODE_TAG"] = tag + "-other";
        using var other = Process.Start(bystander)!;
        try
        {
            await using var server = await RunningServer.StartAsync(data.Path);
            // The cleanup ends the processes first and removes the workspace and the record after: wait for all of it.
            var nodeFile = Path.Combine(data.Path, "runner", "77.node");
            for (var i = 0; i < 200 && (!leftover.HasExited || Directory.Exists(workspace) || File.Exists(nodeFile)); i++)
            {
                await Task.Delay(50);
            }

            Assert.True(leftover.HasExited, "the crashed node's process is still running");
            Assert.False(other.HasExited, "a process with another tag was ended");
            Assert.False(Directory.Exists(workspace));
            Assert.False(File.Exists(nodeFile));
        }
        finally
        {
            foreach (var process in new[] { leftover, other })
            {
                if (!process.HasExited)
                {
                    process.Kill();
                    await process.WaitForExitAsync();
                }
            }
        }
    }

    [Fact]
    public async Task The_next_start_removes_a_crashed_docker_nodes_containers_and_network_and_no_others()
    {
        await DockerTestImages.EnsureAsync();
        using var data = new TempFolder();
        var workspace = Path.Combine(data.Path, "workspaces", "78");
        Directory.CreateDirectory(workspace);
        Directory.CreateDirectory(Path.Combine(data.Path, "runner"));
        var tag = "builtin:crashed/node-78/" + Guid.NewGuid().ToString("N");
        await File.WriteAllLinesAsync(Path.Combine(data.Path, "runner", "78.node"), [tag, workspace]);
        using var client = new DockerClientBuilder().WithEndpoint(new Uri("unix:///var/run/docker.sock")).Build();
        var network = await client.Networks.CreateNetworkAsync(new NetworksCreateParameters { Name = "leftover-" + Guid.NewGuid().ToString("N")[..12], Labels = Labels(tag) });
        var left = await StartAsync(client, tag);
        var bystander = await StartAsync(client, tag + "-other");
        try
        {
            await using var server = await RunningServer.StartAsync(data.Path);
            // The containers go first and the network after them: wait for both, not only the first.
            for (var i = 0; i < 200 && ((await ListAsync(client, tag)).Count > 0
                || (await client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = Filter(tag) })).Count > 0); i++)
            {
                await Task.Delay(50);
            }

            Assert.Empty(await ListAsync(client, tag));
            Assert.Empty(await client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = Filter(tag) }));
            Assert.Single(await ListAsync(client, tag + "-other"));
        }
        finally
        {
            foreach (var id in new[] { left, bystander })
            {
                try
                {
                    await client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true });
                }
                catch (DockerContainerNotFoundException)
                {
                }
            }

            try
            {
                await client.Networks.DeleteNetworkAsync(network.ID);
            }
            catch (DockerNetworkNotFoundException)
            {
            }
        }
    }

    private static Dictionary<string, string> Labels(string tag) => new() { [Porthole.Execution.Docker.ContainerLabels.Node] = tag };

    private static Dictionary<string, IDictionary<string, bool>> Filter(string tag) =>
        new() { ["label"] = new Dictionary<string, bool> { [$"{Porthole.Execution.Docker.ContainerLabels.Node}={tag}"] = true } };

    private static async Task<IList<ContainerListResponse>> ListAsync(DockerClient client, string tag) =>
        await client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = Filter(tag) });

    private static async Task<string> StartAsync(DockerClient client, string tag)
    {
        var made = await client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = DockerTestImages.Busybox,
            Entrypoint = ["/bin/sh", "-c", "while :; do sleep 3600; done"],
            Labels = Labels(tag),
            HostConfig = new HostConfig { Init = true },
        });
        await client.Containers.StartContainerAsync(made.ID, new ContainerStartParameters());
        return made.ID;
    }
}
