using Porthole.Contracts.Plans;
using Porthole.Contracts.Ssh;

namespace Porthole.Contracts.Runners;

/// <summary>
/// Everything a runner needs to run one node of one attempt of a job, handed over by a lease.
/// <see cref="Variables"/> are the project's environment variables; those marked secret are masked in the log.
/// <see cref="Ssh"/> is set when the attempt was asked for with SSH (a rerun with SSH, or a debug run, which also sets
/// <see cref="Debug"/>).
/// </summary>
public sealed record NodeAssignment(
    long NodeId,
    long JobId,
    int Attempt,
    int JobNumber,
    long WorkflowId,
    string WorkflowName,
    long PipelineId,
    int PipelineNumber,
    string ProjectName,
    string RepositoryUrl,
    string CommitSha,
    string? Branch,
    int NodeIndex,
    int NodeTotal,
    ConfigDialect Dialect,
    JobPlan Job,
    IReadOnlyList<ProjectVariable> Variables,
    TimeSpan JobTimeout,
    long LogCapBytes,
    SshRequest? Ssh = null,
    DebugRequest? Debug = null)
{
    /// <summary>The tag a tag pipeline builds (<c>CIRCLE_TAG</c>, <c>TRAVIS_TAG</c>); null on a branch pipeline.</summary>
    public string? Tag { get; init; }

    /// <summary>What started the pipeline in Travis's words (<c>TRAVIS_EVENT_TYPE</c>): push (a webhook), api or cron (a schedule).</summary>
    public string EventType { get; init; } = "api";

    /// <summary>The commit's message (<c>TRAVIS_COMMIT_MESSAGE</c>); null when unknown.</summary>
    public string? CommitMessage { get; init; }

    /// <summary>
    /// Travis's <c>TRAVIS_SECURE_ENV_VARS</c>: the job has secure variables (its config's <c>secure:</c> values or the
    /// project's secret variables) and none of its <c>secure:</c> values was withheld (one that cannot be decrypted).
    /// </summary>
    public bool SecureEnvVars { get; init; }

    /// <summary>
    /// Lines the server has for the job's log (a <c>secure:</c> value it could not decrypt, by its place in the config):
    /// the runner writes them at the start of the log. Never a secret.
    /// </summary>
    public IReadOnlyList<string> Notices { get; init; } = [];

    /// <summary>The repository's default branch (its HEAD when the pipeline was made), for Travis's cache fallback; null when unknown.</summary>
    public string? DefaultBranch { get; init; }

    /// <summary>The most a cache archive of this project may take (compressed): the runner stops making one that grows past it.</summary>
    public long CacheCapBytes { get; init; } = 5L * 1024 * 1024 * 1024;

    /// <summary>
    /// The project's additional SSH keys that the job's <c>add_ssh_keys</c> steps ask for (all of them when a step lists
    /// no fingerprint; none when the job has no such step). Their private keys are secrets: masked like secret variables.
    /// </summary>
    public IReadOnlyList<AdditionalSshKey> SshKeys { get; init; } = [];

    /// <summary>
    /// The project's image table, which the runner consults before its own: for a Travis job's chosen containers
    /// (<see cref="ContainerSpec.Choice"/>), the image each key serves (<c>"python 3.8"</c>, or a bare <c>"redis"</c> for
    /// every version; the exact key first, then the bare name). Only the entries this job's choices name; empty otherwise.
    /// </summary>
    public IReadOnlyDictionary<string, string> ProjectImages { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The lease's secret (issue 14): a remote runner sends it with every call about the node, and a call with any other
    /// (the node given up and retried, a forged one) is refused. Only its SHA-256 is stored on the server.
    /// </summary>
    public string LeaseToken { get; init; } = "";

    public override string ToString() => $"NodeAssignment {{ NodeId = {NodeId}, JobId = {JobId}, Attempt = {Attempt}, Job = {Job.Name}, NodeIndex = {NodeIndex}, LeaseToken = *** }}";

    /// <summary>What the node masks in its log and in every view beside it: the secret variables' values and the SSH private keys.</summary>
    public IEnumerable<string> SecretValues() =>
        Variables.Where(v => v.Secret).Select(v => v.Value).Concat(SshKeys.Select(k => k.PrivateKey));
}

/// <summary>
/// A variable of the job's environment: the project's own, or one of a CircleCI context the job names (then
/// <see cref="Context"/> is that context's name, and the variable sits under the dialect's built-ins, dialects.md §A1.5).
/// </summary>
public sealed record ProjectVariable(string Name, string Value, bool Secret)
{
    /// <summary>The context the variable comes from; null for the project's own variables.</summary>
    public string? Context { get; init; }

    public override string ToString() => $"ProjectVariable {{ Name = {Name}, Value = {(Secret ? "***" : Value)}, Secret = {Secret}, Context = {Context} }}";
}

/// <summary>
/// One of a project's additional SSH keys (CircleCI's <c>add_ssh_keys</c>, dialects.md §A5): its fingerprints as
/// <c>ssh-keygen -l -E md5</c> (<c>aa:bb:…</c>, without the <c>MD5:</c> prefix) and <c>-E sha256</c> (<c>SHA256:…</c>) print them,
/// the host it is for (null: every host), and the private key in OpenSSH's text form. Never logged or printed.
/// </summary>
public sealed record AdditionalSshKey(string Md5, string Sha256, string? Host, string PrivateKey)
{
    /// <summary>
    /// Whether <paramref name="fingerprint"/> names this key: <c>SHA256:…</c> (base64, padding ignored), or MD5 as
    /// <c>aa:bb:…</c> with or without <c>MD5:</c> (hex in either case).
    /// </summary>
    public bool Matches(string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        var text = fingerprint.Trim();
        if (text.StartsWith("SHA256:", StringComparison.Ordinal))
        {
            return string.Equals(text.TrimEnd('='), Sha256, StringComparison.Ordinal);
        }

        if (text.StartsWith("MD5:", StringComparison.OrdinalIgnoreCase))
        {
            text = text[4..];
        }

        return string.Equals(text, Md5, StringComparison.OrdinalIgnoreCase);
    }

    public override string ToString() => $"AdditionalSshKey {{ Md5 = {Md5}, Sha256 = {Sha256}, Host = {Host}, PrivateKey = *** }}";
}
