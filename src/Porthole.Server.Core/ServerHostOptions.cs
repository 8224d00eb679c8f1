namespace Porthole.Server;

/// <summary>
/// How <c>porthole server</c> was started. <paramref name="Settings"/> are extra configuration keys
/// (e.g. <c>Porthole:JobTimeout</c>, <c>Runner:HeartbeatInterval</c>) on top of the environment's.
/// </summary>
public sealed record ServerHostOptions(string DataDirectory, string Urls, bool Demo, IReadOnlyDictionary<string, string?>? Settings = null);
