using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Porthole.Contracts.Plans;

namespace Porthole.Execution.StepHandlers;

/// <summary>
/// What a cache key template reads on the node (dialects.md §A5 "key templates"): the pipeline's branch and commit, the
/// job's number, the step's environment (never a secret: a key is stored and shown), a file's checksum as the job
/// reads it, the time and the machine.
/// </summary>
internal sealed class CacheKeyValues(StepScope scope) : IKeyTemplateValues
{
    public string? Branch => scope.Assignment.Branch;

    public long BuildNum => scope.Assignment.JobId;

    public string Revision => scope.Assignment.CommitSha;

    public string? DefaultBranch => scope.Assignment.DefaultBranch;

    public long Epoch => scope.Time.GetUtcNow().ToUnixTimeSeconds();

    public string Arch => RuntimeInformation.OSArchitecture switch
    {
        Architecture.Arm64 => "linux-arm64",
        Architecture.X86 => "linux-386",
        _ => "linux-amd64",
    };

    public string? Environment(string name)
    {
        if (scope.SecretNames.Contains(name))
        {
            throw new StepFailedException($"The cache key reads {name}, a secret variable: a key is stored and shown, so it cannot carry a secret.");
        }

        return scope.Environment.GetValueOrDefault(name);
    }

    public async ValueTask<string> ChecksumAsync(string path, CancellationToken cancellationToken)
    {
        string file;
        try
        {
            file = scope.Node.ResolveDirectory(path, scope.JobDirectory);
        }
        catch (ArgumentException e)
        {
            throw new StepFailedException($"checksum \"{path}\": {e.Message}");
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var code = await NodeTar.ReadFileAsync(scope, file, async stream =>
        {
            var buffer = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        });
        if (code != 0)
        {
            throw new StepFailedException($"checksum \"{path}\": {file} cannot be read (no such file, or not the job's to read).");
        }

        return Convert.ToBase64String(hash.GetHashAndReset());
    }
}
