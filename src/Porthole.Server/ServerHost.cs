namespace Porthole.Server;

public static class ServerHost
{
    public static Task<int> RunAsync(ServerHostOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        throw new NotImplementedException("being written");
    }
}
