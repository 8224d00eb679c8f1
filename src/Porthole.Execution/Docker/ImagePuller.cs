using Docker.DotNet;
using Docker.DotNet.Models;
using Porthole.Contracts.Plans;
using ContainerSpec = Porthole.Contracts.Plans.ContainerSpec;
using Porthole.Execution.Executors;

namespace Porthole.Execution.Docker;

/// <summary>
/// Makes an image present: nothing when the engine has it, else a pull with its progress in the log, one line per
/// layer and state (not every byte count). The registry login (<see cref="ContainerSpec.Auth"/>) goes to the engine
/// only, never to the log.
/// </summary>
internal sealed class ImagePuller(IDockerClient client)
{
    public async Task EnsureAsync(ContainerSpec spec, IReadOnlyDictionary<string, string> variables, Func<string, ValueTask> say, CancellationToken cancellationToken)
    {
        // Before anything else: a login that names no variable is the config's mistake whether a pull is needed or not.
        var auth = Login(spec, variables);
        try
        {
            if (await IsPresentAsync(spec.Image, cancellationToken))
            {
                return;
            }
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            // An image name the engine cannot read (capitals, a bad tag) comes back as 400.
            throw new ExecutorException($"The image '{spec.Image}' could not be looked up: {DockerEngine.Reason(e)}", e);
        }

        var (name, tag) = Split(spec.Image);
        await say($"Pulling image {spec.Image}\n");
        string? error = null;

        // The engine's progress arrives on its own thread; the lines go to the log in order, as they come.
        var written = Task.CompletedTask;
        var progress = new Progress(message =>
        {
            if (message.Error is { } failure)
            {
                error ??= failure.Message;
                return;
            }

            if (Line(message) is { } line)
            {
                written = written.ContinueWith(_ => say(line + "\n").AsTask(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            }
        });
        try
        {
            await client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = name, Tag = tag }, auth, progress, cancellationToken);
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            error ??= DockerEngine.Reason(e);
        }

        await written;
        if (error is not null || !await IsPresentAsync(spec.Image, cancellationToken))
        {
            var reason = error ?? "the engine does not have it after the pull";
            var hint = spec.Auth is not null && (reason.Contains("unauthorized", StringComparison.OrdinalIgnoreCase) || reason.Contains("denied", StringComparison.OrdinalIgnoreCase))
                ? "; check the image's auth: username and password (and the project variables they name)"
                : string.Empty;
            throw new ExecutorException($"The image '{spec.Image}' could not be pulled: {reason}{hint}");
        }
    }

    /// <summary>One line per layer and state, none for the byte counts; the tag's own lines without its name in front.</summary>
    private static string? Line(JSONMessage message)
    {
        var status = message.Status ?? string.Empty;
        if (status is "Downloading" or "Extracting" or "Waiting" || status.Length == 0)
        {
            return null;
        }

        return string.IsNullOrEmpty(message.ID) || status.StartsWith("Pulling from ", StringComparison.Ordinal) ? status : $"{message.ID}: {status}";
    }

    private async Task<bool> IsPresentAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            await client.Images.InspectImageAsync(image, cancellationToken);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary><c>registry:5000/team/app:1.2</c> → (<c>registry:5000/team/app</c>, <c>1.2</c>); a digest stays whole.</summary>
    internal static (string Name, string? Tag) Split(string image)
    {
        if (image.Contains('@', StringComparison.Ordinal))
        {
            return (image, null);
        }

        var slash = image.LastIndexOf('/');
        var colon = image.LastIndexOf(':');
        return colon > slash ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }

    /// <summary>The image's login with <c>$VAR</c> and <c>${VAR}</c> taken from the project's variables.</summary>
    internal static AuthConfig? Login(ContainerSpec spec, IReadOnlyDictionary<string, string> variables)
    {
        if (spec.Auth is not { } auth)
        {
            return null;
        }

        return new AuthConfig
        {
            Username = Resolve(auth.Username, "username", spec.Image, variables),
            Password = Resolve(auth.Password, "password", spec.Image, variables),
        };
    }

    private static string Resolve(string value, string what, string image, IReadOnlyDictionary<string, string> variables)
    {
        var name = value switch
        {
            ['$', '{', .. var rest] when rest.EndsWith('}') => rest[..^1],
            ['$', .. var rest] => rest,
            _ => null,
        };
        if (name is null)
        {
            return value;
        }

        return variables.TryGetValue(name, out var resolved)
            ? resolved
            : throw new ExecutorException($"The auth {what} of the image '{image}' is ${name}, which is not a variable of the project.");
    }

    /// <summary>Reports on the calling thread, in order (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class Progress(Action<JSONMessage> report) : IProgress<JSONMessage>
    {
        public void Report(JSONMessage value) => report(value);
    }
}
