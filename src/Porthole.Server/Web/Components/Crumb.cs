namespace Porthole.Server.Web.Components;

/// <summary>One step of a page's breadcrumbs; the last one is the page itself and has no link.</summary>
public sealed record Crumb(string Label, string? Href = null);
