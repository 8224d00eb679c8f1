using System.Net.Http.Json;
using Porthole.Contracts.Api;

namespace Porthole.Bench;

/// <summary>Waits until the job's latest SSH or debug attempt has its node 0 endpoint up.</summary>
public static class SshEndpoint
{
    public static async Task<SshNodeView> WaitAsync(BenchServer server, long jobId, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var response = await server.Client.GetAsync($"/api/jobs/{jobId}/ssh", cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                var view = (await response.Content.ReadFromJsonAsync<JobSshView>(ApiJson.Options, cancellationToken))!;
                if (view.Nodes is [{ Port: not null } ready, ..] && view.Nodes[0].Status == Status.Running)
                {
                    return ready;
                }
            }

            await Task.Delay(5, cancellationToken);
        }
    }
}
