namespace Porthole.Execution.Docker.Entry;

/// <summary>
/// What a node's entry socket lets through: execs into this one container (by its full id or its name), always as
/// <paramref name="User"/>, never privileged, with the job's environment first.
/// </summary>
/// <param name="Environment">The job's variables, secrets included: they are written into each exec, never into a message.</param>
public sealed record EntryRules(
    string ContainerId,
    string ContainerName,
    string User,
    string WorkingDirectory,
    IReadOnlyList<KeyValuePair<string, string>> Environment)
{
    // A record prints its members; these hold secrets.
    public override string ToString() => $"EntryRules {{ ContainerId = {ContainerId}, ContainerName = {ContainerName}, User = {User} }}";
}
