using System.Globalization;

namespace Porthole.Server.Web.Pages;

/// <summary>The addresses of the pipeline pages, built in one place so that every link and redirect agrees.</summary>
public static class Links
{
    public static string Project(string name) => $"{WebPaths.Projects}/{Uri.EscapeDataString(name)}";

    /// <summary>The project's settings page (members, debug_enabled), for its admins.</summary>
    public static string ProjectSettings(string name) => Project(name) + "/settings";

    public static string Pipeline(long id) => string.Create(CultureInfo.InvariantCulture, $"/pipelines/{id}");

    public static string Workflow(long pipelineId, long workflowId) =>
        string.Create(CultureInfo.InvariantCulture, $"/pipelines/{pipelineId}#workflow-{workflowId}");

    public static string Job(long id, int? attempt = null) => attempt is { } number
        ? string.Create(CultureInfo.InvariantCulture, $"/jobs/{id}?attempt={number}")
        : string.Create(CultureInfo.InvariantCulture, $"/jobs/{id}");

    /// <summary>One step's log as plain text (the API's, read with the session cookie).</summary>
    public static string StepLog(long jobId, int attempt, int node, int step) =>
        string.Create(CultureInfo.InvariantCulture, $"/api/jobs/{jobId}/log?attempt={attempt}&node={node}&step={step}");

    /// <summary>The replay page of a session recording of an attempt (<c>Pages/RecordingPage</c>).</summary>
    public static string Recording(long jobId, int attempt, long id) =>
        string.Create(CultureInfo.InvariantCulture, $"/jobs/{jobId}/recordings/{id}?attempt={attempt}");

    public const string Keys = "/keys";
}
