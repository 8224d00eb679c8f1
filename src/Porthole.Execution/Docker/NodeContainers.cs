using System.Security.Cryptography;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Porthole.Execution.Docker;

/// <summary>The engine's objects of one node (its primary container, its service containers, its network), found by its tag.</summary>
internal sealed record NodeContainers(string Tag, string Primary)
{
    /// <summary>The primary container's name; service containers follow it as <c>…-1</c>, <c>…-2</c>.</summary>
    public static string PrimaryName(string tag) => ShortName(tag) + "-0";

    /// <summary>A short name for the node's objects (the engine's names must be unique; the tag is long and has slashes).</summary>
    public static string ShortName(string tag) =>
        "porthole-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(tag)))[..12];

    /// <summary>Removes everything labelled with the node's tag, containers first (with their anonymous volumes), then networks.</summary>
    public Task<int> RemoveAsync(IDockerClient client, TimeProvider time, TimeSpan patience) => RemoveTaggedAsync(client, Tag, time, patience);

    /// <summary>
    /// Removes every container and network labelled with <paramref name="tag"/>; returns how many containers. An engine
    /// that does not answer (restarting) is asked again until <paramref name="patience"/> has passed.
    /// </summary>
    public static async Task<int> RemoveTaggedAsync(IDockerClient client, string tag, TimeProvider time, TimeSpan patience)
    {
        var deadline = time.GetUtcNow() + patience;
        while (true)
        {
            try
            {
                var containers = await client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = ContainerLabels.Filter(tag) });
                foreach (var container in containers)
                {
                    try
                    {
                        await client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true });
                    }
                    catch (DockerContainerNotFoundException)
                    {
                    }
                }

                var networks = await client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = ContainerLabels.Filter(tag) });
                foreach (var network in networks)
                {
                    try
                    {
                        await client.Networks.DeleteNetworkAsync(network.ID);
                    }
                    catch (DockerNetworkNotFoundException)
                    {
                    }
                }

                return containers.Count;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or DockerApiException && time.GetUtcNow() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), time);
            }
        }
    }
}
