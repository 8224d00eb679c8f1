namespace Porthole.Server.Monitoring;

/// <summary>
/// Settings of <c>/metrics</c>, bound from <c>Porthole:Metrics</c>. Prometheus scrapes without a token, so the page is
/// open to anyone who reaches the server; it holds counts and timings only (no names of users, projects or secrets).
/// Set <c>Porthole:Metrics:Enabled=false</c> (<c>PORTHOLE_Porthole__Metrics__Enabled=false</c>) to answer 404 instead.
/// </summary>
public sealed class MetricsOptions
{
    public const string Section = "Porthole:Metrics";

    public bool Enabled { get; set; } = true;
}
