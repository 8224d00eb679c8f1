namespace Porthole.Server;

/// <summary>How <c>porthole server</c> was started.</summary>
public sealed record ServerHostOptions(string DataDirectory, string Urls, bool Demo);
